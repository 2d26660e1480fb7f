package dev.r1.service.security;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Puts {@link ActuatorGuard} in front of every servlet service that has this module on its
 * classpath. Off with {@code r1.security.actuator.enabled=false} (the gateway guards its actuator
 * with API keys instead).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(
    prefix = "r1.security.actuator",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(ActuatorSecurityProperties.class)
public class ActuatorSecurityAutoConfiguration {

  @Bean
  FilterRegistrationBean<ActuatorGuard> r1ActuatorGuard(ActuatorSecurityProperties properties) {
    FilterRegistrationBean<ActuatorGuard> bean =
        new FilterRegistrationBean<>(new ActuatorGuard(properties));
    bean.addUrlPatterns("/actuator", "/actuator/*");
    bean.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return bean;
  }
}
