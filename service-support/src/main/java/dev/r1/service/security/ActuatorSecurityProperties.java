package dev.r1.service.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may read a service's actuator endpoints ({@code r1.security.actuator.*}).
 *
 * @param token the bearer token ({@code Authorization: Bearer <token>}) that opens every actuator
 *     endpoint; empty (the default, env {@code R1_ACTUATOR_TOKEN}) means only the open ones answer
 * @param open endpoint ids readable without the token; {@code health} by default, add {@code
 *     prometheus} where the scraper cannot send a token
 */
@ConfigurationProperties("r1.security.actuator")
public record ActuatorSecurityProperties(
    @DefaultValue("") String token, @DefaultValue("health") List<String> open) {

  public ActuatorSecurityProperties {
    token = token == null ? "" : token.strip();
    open = open == null ? List.of() : List.copyOf(open);
  }
}
