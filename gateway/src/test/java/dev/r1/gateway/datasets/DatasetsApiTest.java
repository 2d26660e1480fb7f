package dev.r1.gateway.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DatasetsApiTest extends PostgresKafkaTest {

  @Test
  void storesARawJsonlUploadWithAliasesAndBlankLines() throws Exception {
    String key = newKey("uploader");
    String body =
        "{\"prompt\":\"1+1?\",\"answer\":\"2\"}\n"
            + "\n"
            + "{\"question\":\"Zähle bis 3\",\"solution\":\"1 2 3\",\"extra\":[1,2]}\r\n"
            + "{\"prompt\":\"last line without newline\",\"answer\":\"ok\"}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Api.Response r =
        api.post("/v1/datasets?filename=mixed.jsonl", key, "application/x-ndjson", bytes);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode ds = r.json();
    assertThat(ds.get("id").asText()).startsWith("ds-");
    assertThat(ds.get("records").asInt()).isEqualTo(3);
    assertThat(ds.get("bytes").asLong()).isEqualTo(bytes.length);
    assertThat(ds.get("filename").asText()).isEqualTo("mixed.jsonl");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(ds.get("sha256").asText()).isEqualTo(sha);
    Path stored = DATA_DIR.resolve("datasets").resolve(ds.get("id").asText() + ".jsonl");
    assertThat(Files.readAllBytes(stored)).isEqualTo(bytes);

    Api.Response got = api.get("/v1/datasets/" + ds.get("id").asText(), key);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().get("sha256").asText()).isEqualTo(sha);
  }

  @Test
  void storesAMultipartUpload() {
    String key = newKey("multipart");
    String boundary = "r1boundary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gsm.jsonl\"\r\n"
            + "Content-Type: application/x-ndjson\r\n\r\n"
            + "{\"prompt\":\"2*3?\",\"answer\":\"6\"}\n{\"prompt\":\"2*4?\",\"answer\":\"8\"}\n"
            + "\r\n--"
            + boundary
            + "--\r\n";
    Api.Response r =
        api.send(
            api.request("/v1/datasets", key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().get("filename").asText()).isEqualTo("gsm.jsonl");
    assertThat(r.json().get("records").asInt()).isEqualTo(2);
  }

  @Test
  void listsNewestFirstWithCursor() {
    String key = newKey("lister");
    String a = uploadDataset(key, 1);
    String b = uploadDataset(key, 1);
    String c = uploadDataset(key, 1);
    JsonNode first = api.get("/v1/datasets?limit=2", key).json();
    assertThat(first.get("data").get(0).get("id").asText()).isEqualTo(c);
    assertThat(first.get("data").get(1).get("id").asText()).isEqualTo(b);
    assertThat(first.get("has_more").asBoolean()).isTrue();
    JsonNode second = api.get("/v1/datasets?limit=2&after=" + b, key).json();
    assertThat(second.get("data")).hasSize(1);
    assertThat(second.get("data").get(0).get("id").asText()).isEqualTo(a);
    assertThat(second.get("has_more").asBoolean()).isFalse();
  }
}
