package dev.r1.gateway.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.r1.gateway.web.ListPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/models")
@Tag(name = "models", description = "Base models a job can start from")
@SecurityRequirement(name = "apiKey")
class ModelController {

  private final ModelRegistry registry;

  ModelController(ModelRegistry registry) {
    this.registry = registry;
  }

  /** A model object. */
  @io.swagger.v3.oas.annotations.media.Schema(name = "Model")
  record ModelView(
      String id,
      String object,
      long created,
      @JsonProperty("owned_by") String ownedBy,
      String source) {}

  @GetMapping
  @Operation(summary = "List the models a job may name")
  ListPage<ModelView> list() {
    return ListPage.of(
        registry.list().stream()
            .map(
                m ->
                    new ModelView(
                        m.id(),
                        "model",
                        m.created(),
                        m.source().equals("builtin") ? "r1" : "local",
                        m.source()))
            .toList(),
        false);
  }
}
