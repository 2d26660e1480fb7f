package dev.r1.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The R1 gateway: the REST/OpenAPI jobs API (modelled on OpenAI's fine-tuning jobs API), datasets,
 * models and API-key authentication, with the job registry in PostgreSQL (H2 when embedded).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

  public static void main(String[] args) {
    SpringApplication.run(GatewayApplication.class, args);
  }
}
