package dev.r1.gateway.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's info, the API-key bearer scheme and the problem+json error responses. */
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

  /** Adds the error responses every /v1 operation can give, as problem+json. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      Map<String, Schema> props = new TreeMap<>();
      props.put("type", new StringSchema());
      props.put("title", new StringSchema());
      props.put("status", new IntegerSchema());
      props.put("detail", new StringSchema());
      props.put("instance", new StringSchema());
      props.put("field", new StringSchema().description("the request field at fault"));
      props.put("line", new IntegerSchema().description("the 1-based dataset line at fault"));
      Schema<?> problem = new ObjectSchema().properties(props);
      openApi.getComponents().addSchemas("Problem", problem);
      openApi
          .getPaths()
          .forEach(
              (path, item) ->
                  item.readOperationsMap()
                      .forEach(
                          (method, op) -> {
                            add(op, "401", "No or an unknown API key");
                            add(op, "400", "Invalid input; 'field' or 'line' names it");
                            if (path.contains("{id}")) {
                              add(op, "404", "No such resource for this caller");
                            }
                            if (path.endsWith("/cancel")
                                || path.endsWith("/pause")
                                || path.endsWith("/resume")) {
                              add(op, "409", "Not possible in the job's status");
                            }
                            if (path.equals("/v1/datasets") && method.name().equals("POST")) {
                              add(op, "413", "Larger than r1.gateway.max-dataset-bytes");
                            }
                          }));
    };
  }

  private static void add(Operation op, String code, String description) {
    op.getResponses()
        .addApiResponse(
            code,
            new ApiResponse()
                .description(description)
                .content(
                    new Content()
                        .addMediaType(
                            "application/problem+json",
                            new MediaType()
                                .schema(new Schema<>().$ref("#/components/schemas/Problem")))));
  }
}
