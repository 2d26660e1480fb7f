package dev.r1.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed OpenAPI document ({@code src/main/resources/openapi.json}) must equal what the
 * running app serves at {@code /v3/api-docs} (server URLs aside). After an intended API change,
 * regenerate it with {@code -Dr1.openapi.update=true} and commit the file.
 */
class OpenApiDriftTest extends PostgresKafkaTest {

  static final Path COMMITTED = Path.of("src/main/resources/openapi.json");

  @Test
  void runningSpecMatchesTheCommittedOne() throws Exception {
    Api.Response r = api.get("/v3/api-docs", null);
    assertThat(r.status()).isEqualTo(200);
    ObjectNode live = (ObjectNode) r.json();
    live.remove("servers");
    assertThat(live.get("openapi").asText()).startsWith("3.1");
    if (Boolean.getBoolean("r1.openapi.update")) {
      Files.writeString(
          COMMITTED,
          Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(live)
              + "\n",
          StandardCharsets.UTF_8);
    }
    assertThat(COMMITTED).as("committed spec; generate with -Dr1.openapi.update=true").exists();
    JsonNode committed = Api.JSON.readTree(Files.readString(COMMITTED));
    ((ObjectNode) committed).remove("servers");
    assertThat(live)
        .as(
            "the running app's OpenAPI spec drifted from %s; if intended, rerun with"
                + " -Dr1.openapi.update=true and commit the file",
            COMMITTED)
        .isEqualTo(committed);
    assertThat(live.at("/paths").has("/v1/jobs/{id}/events")).isTrue();
    assertThat(live.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
  }
}
