package dev.r1.gateway.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's info and the API-key bearer scheme. */
@Configuration
class OpenApiConfig {

  @Bean
  OpenAPI r1OpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("R1 gateway")
                .version("v1")
                .description(
                    "Jobs API of the R1 platform (modelled on OpenAI's fine-tuning jobs API):"
                        + " GRPO, SFT, distillation, evaluation and pipeline jobs; datasets;"
                        + " models. Authenticate with 'Authorization: Bearer r1-...'. Errors are"
                        + " application/problem+json with 'field' or 'line' where one is at"
                        + " fault."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "apiKey",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("r1-<43 base64url characters>")));
  }
}
