package dev.r1.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.Json;
import dev.r1.contracts.PolicyFormat;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.Topics;
import dev.r1.model.CausalLm;
import dev.r1.model.safetensors.TensorStore;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.policy.models.TinyRandomModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedKafka(
    partitions = 3,
    topics = {Topics.POLICY_PUBLISHED},
    bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class PolicyServiceTest {

  static final Path STORE = tempDir();
  static final String[] HF_FILES = {
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"
  };

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry r) {
    r.add("r1.policy.store-dir", STORE::toString);
    r.add("r1.policy.allow-local-path", () -> "true");
  }

  @Value("${local.server.port}")
  int port;

  @Autowired EmbeddedKafkaBroker broker;

  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void startsAndReportsHealthUpOverHttp() throws Exception {
    HttpResponse<String> r = get("/actuator/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"UP\"");

    for (String closed : new String[] {"/actuator/prometheus", "/actuator/info", "/actuator"}) {
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + closed))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("%s without the actuator token", closed)
          .isEqualTo(401);
    }
  }

  @Test
  void listsTheBuiltInTinyModelAsAHuggingFaceFolder() throws Exception {
    JsonNode models = json.readTree(get("/v1/models").body());
    JsonNode tiny = null;
    for (JsonNode m : models) {
      if (TinyRandomModel.NAME.equals(m.path("model").asText())) {
        tiny = m;
      }
    }
    assertThat(tiny).as("tiny-random in %s", models).isNotNull();
    assertThat(tiny.path("modelType").asText()).isEqualTo("qwen2");

    Path dir = STORE.resolve("models").resolve(TinyRandomModel.NAME);
    JsonNode config = json.readTree(dir.resolve("config.json").toFile());
    assertThat(config.path("architectures").get(0).asText()).isEqualTo("Qwen2ForCausalLM");
    assertThat(config.path("model_type").asText()).isEqualTo("qwen2");
    assertThat(config.path("vocab_size").asInt()).isEqualTo(264);
    try (TensorStore tensors = TensorStore.open(dir)) {
      assertThat(tensors.names())
          .containsExactlyInAnyOrderElementsOf(
              CausalLm.parameterShapes(TinyRandomModel.config()).keySet())
          .contains(
              "model.embed_tokens.weight",
              "model.layers.1.self_attn.q_proj.bias",
              "model.layers.0.mlp.down_proj.weight",
              "model.norm.weight");
    }
    try (Tokenizer tokenizer = Tokenizer.load(dir)) {
      assertThat(tokenizer.vocabSize()).isEqualTo(264);
      assertThat(tokenizer.hasChatTemplate()).isTrue();
      assertThat(tokenizer.decode(tokenizer.encode("2+2=4, ünïcode"))).isEqualTo("2+2=4, ünïcode");
    }
    // every file the manifest lists is served with its own hash
    for (JsonNode f : tiny.path("files")) {
      HttpResponse<byte[]> file =
          http.send(
              HttpRequest.newBuilder(URI.create(f.path("url").asText())).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(sha256(file.body())).isEqualTo(f.path("sha256").asText());
    }
  }

  @Test
  void registersAnUploadedVersionServesItsFilesAndPublishesIt() throws Exception {
    Path source = STORE.resolve("models").resolve(TinyRandomModel.NAME);
    String job = "job-upload";
    try (KafkaConsumer<String, byte[]> consumer = consumer("upload-check")) {
      HttpResponse<String> created =
          upload(job, new Multipart().field("step", "7").folder(source, HF_FILES));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      JsonNode manifest = json.readTree(created.body());
      assertThat(manifest.path("version").asLong()).isEqualTo(1);
      assertThat(manifest.path("step").asLong()).isEqualTo(7);
      String expectedSha = sha256(Files.readAllBytes(source.resolve("model.safetensors")));
      assertThat(manifest.path("sha256").asText()).isEqualTo(expectedSha);
      String location = created.headers().firstValue("Location").orElseThrow();
      assertThat(location).endsWith("/v1/jobs/job-upload/versions/1/manifest");

      // the served file has the bytes uploaded, and says so in its headers
      HttpResponse<byte[]> weights =
          http.send(
              HttpRequest.newBuilder(uri("/v1/jobs/" + job + "/versions/1/files/model.safetensors"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(weights.statusCode()).isEqualTo(200);
      assertThat(sha256(weights.body())).isEqualTo(expectedSha);
      assertThat(weights.headers().firstValue("X-Checksum-Sha256")).hasValue(expectedSha);
      assertThat(weights.headers().firstValue("ETag")).hasValue("\"" + expectedSha + "\"");
      HttpResponse<String> notModified =
          http.send(
              HttpRequest.newBuilder(uri("/v1/jobs/" + job + "/versions/1/files/model.safetensors"))
                  .header("If-None-Match", "\"" + expectedSha + "\"")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(notModified.statusCode()).isEqualTo(304);

      // the manifest lists sizes and hashes of every file
      JsonNode served = json.readTree(get("/v1/jobs/" + job + "/versions/1/manifest").body());
      assertThat(served.path("files")).hasSize(4);
      for (JsonNode f : served.path("files")) {
        Path original = source.resolve(f.path("name").asText());
        assertThat(f.path("sizeBytes").asLong()).isEqualTo(Files.size(original));
        assertThat(f.path("sha256").asText()).isEqualTo(sha256(Files.readAllBytes(original)));
      }

      // a PolicyPublished with the manifest URL and the weights' hash
      PolicyPublished published = awaitPublished(consumer, job, 1);
      assertThat(published.step()).isEqualTo(7);
      assertThat(published.sha256()).isEqualTo(expectedSha);
      assertThat(published.format()).isEqualTo(PolicyFormat.HF_DIRECTORY);
      assertThat(published.uri()).isEqualTo(location);
      assertThat(published.sizeBytes()).isEqualTo(served.path("totalBytes").asLong());
      // ...listing the manifest's files, so samplers fetch them without reading the manifest
      assertThat(published.files()).hasSize(4);
      for (JsonNode f : served.path("files")) {
        assertThat(published.files())
            .contains(
                new PolicyPublished.File(
                    f.path("name").asText(),
                    f.path("sha256").asText(),
                    f.path("sizeBytes").asLong()));
        assertThat(
                http.send(
                        HttpRequest.newBuilder(
                                URI.create(published.uri())
                                    .resolve("files/" + f.path("name").asText()))
                            .build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                    .statusCode())
            .as("files/<name> beside the manifest URI")
            .isEqualTo(200);
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(published.uri())).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);

      // a second upload is version 2 and becomes latest; re-registering 2 conflicts
      assertThat(
              upload(job, new Multipart().field("step", "9").folder(source, HF_FILES)).statusCode())
          .isEqualTo(201);
      assertThat(awaitPublished(consumer, job, 2).step()).isEqualTo(9);
      assertThat(
              json.readTree(get("/v1/jobs/" + job + "/versions/latest").body())
                  .path("version")
                  .asLong())
          .isEqualTo(2);
      assertThat(json.readTree(get("/v1/jobs/" + job + "/versions").body())).hasSize(2);
      HttpResponse<String> conflict =
          upload(job, new Multipart().field("version", "2").folder(source, HF_FILES));
      assertThat(conflict.statusCode()).isEqualTo(409);
      assertThat(conflict.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
    }
  }

  @Test
  void registersAVersionFromALocalPath() throws Exception {
    Path source = STORE.resolve("models").resolve(TinyRandomModel.NAME);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/v1/jobs/job-local/versions"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"path\":\"" + source.toAbsolutePath() + "\",\"version\":5,\"step\":50}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json.readTree(r.body()).path("version").asLong()).isEqualTo(5);
    assertThat(Files.isRegularFile(STORE.resolve("jobs/job-local/v5/model.safetensors"))).isTrue();
  }

  @Test
  void rejectsPathTraversalWithProblemJson() throws Exception {
    byte[] any = "{}".getBytes();
    for (String bad : List.of("../evil.json", "/etc/passwd", "..", "a/b.json", ".hidden")) {
      HttpResponse<String> r = upload("job-bad", new Multipart().file(bad, any));
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(json.readTree(r.body()).path("detail").asText()).contains("not a plain file name");
    }
    assertThat(Files.exists(STORE.resolve("evil.json"))).isFalse();
    assertThat(Files.exists(STORE.resolve("jobs/evil.json"))).isFalse();

    HttpResponse<String> file = get("/v1/jobs/job-upload/versions/1/files/..config.json");
    assertThat(file.statusCode()).isEqualTo(400);
    assertThat(file.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    HttpResponse<String> job = get("/v1/jobs/..job/versions");
    assertThat(job.statusCode()).isEqualTo(400);
    assertThat(job.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void rejectsAnIncompleteCheckpoint() throws Exception {
    Path source = STORE.resolve("models").resolve(TinyRandomModel.NAME);
    HttpResponse<String> r =
        upload(
            "job-incomplete",
            new Multipart().folder(source, "config.json", "model.safetensors", "tokenizer.json"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json.readTree(r.body()).path("detail").asText()).contains("tokenizer_config.json");
    assertThat(get("/v1/jobs/job-incomplete/versions/latest").statusCode()).isEqualTo(404);
  }

  @Test
  void keepsTheNewestVersionsAndTheNewestCheckpointAndDeletesTheRest() throws Exception {
    // r1.policy.retain-versions is 5 (application.yml); every version has its own weights
    Path source = STORE.resolve("models").resolve(TinyRandomModel.NAME);
    String job = "job-retention";
    Path jobDir = STORE.resolve("jobs").resolve(job);
    Map<Long, String> shaOf = new java.util.TreeMap<>();
    for (long v = 1; v <= 9; v++) {
      byte[] weights = Files.readAllBytes(source.resolve("model.safetensors"));
      weights[weights.length - 1] ^= (byte) v; // a different last weight: a different hash
      Multipart body =
          new Multipart()
              .field("step", Long.toString(10 * v))
              .field("checkpoint", Boolean.toString(v == 2 || v == 9))
              .file("model.safetensors", weights)
              .folder(source, "config.json", "tokenizer.json", "tokenizer_config.json");
      HttpResponse<String> created = upload(job, body);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      shaOf.put(v, sha256(weights));
      if (v == 8) {
        // 4..8 are the newest five; 2 stays as the newest checkpoint version; 1 and 3 are gone
        assertThat(listed(job)).containsExactly(2L, 4L, 5L, 6L, 7L, 8L);
        assertThat(Files.exists(jobDir.resolve("v3"))).isFalse();
        assertThat(Files.exists(jobDir.resolve("v2"))).isTrue();
      }
    }
    // 9 is a newer checkpoint: 2 goes, and so does 4 (outside the newest five)
    assertThat(listed(job)).containsExactly(5L, 6L, 7L, 8L, 9L);
    try (var dirs = Files.list(jobDir)) {
      assertThat(dirs.map(p -> p.getFileName().toString()).sorted())
          .as("only the retained versions are on disk")
          .containsExactly(
              "v5",
              "v5.manifest.json",
              "v6",
              "v6.manifest.json",
              "v7",
              "v7.manifest.json",
              "v8",
              "v8.manifest.json",
              "v9",
              "v9.manifest.json");
    }
    for (long gone = 1; gone <= 4; gone++) {
      assertThat(get("/v1/jobs/" + job + "/versions/" + gone + "/manifest").statusCode())
          .isEqualTo(404);
      assertThat(
              get("/v1/jobs/" + job + "/versions/" + gone + "/files/model.safetensors")
                  .statusCode())
          .isEqualTo(404);
    }
    for (long kept = 5; kept <= 9; kept++) {
      HttpResponse<byte[]> weights =
          http.send(
              HttpRequest.newBuilder(
                      uri("/v1/jobs/" + job + "/versions/" + kept + "/files/model.safetensors"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(weights.statusCode()).isEqualTo(200);
      assertThat(sha256(weights.body())).as("version %d", kept).isEqualTo(shaOf.get(kept));
      assertThat(weights.headers().firstValue("X-Checksum-Sha256")).hasValue(shaOf.get(kept));
      JsonNode manifest = json.readTree(get("/v1/jobs/" + job + "/versions/" + kept).body());
      assertThat(manifest.path("sha256").asText()).isEqualTo(shaOf.get(kept));
      assertThat(manifest.path("checkpoint").asBoolean()).isEqualTo(kept == 9);
    }
    JsonNode latest = json.readTree(get("/v1/jobs/" + job + "/versions/latest").body());
    assertThat(latest.path("version").asLong()).isEqualTo(9);
    assertThat(latest.path("step").asLong()).isEqualTo(90);
    // versions only grow, also after pruning: an old number is refused
    assertThat(
            upload(job, new Multipart().field("version", "3").folder(source, HF_FILES))
                .statusCode())
        .isEqualTo(409);
  }

  private List<Long> listed(String job) throws Exception {
    List<Long> out = new ArrayList<>();
    for (JsonNode m : json.readTree(get("/v1/jobs/" + job + "/versions").body())) {
      out.add(m.path("version").asLong());
    }
    return out;
  }

  // ---- helpers ----

  private HttpResponse<String> upload(String job, Multipart body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/v1/jobs/" + job + "/versions"))
            .header("Content-Type", body.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private KafkaConsumer<String, byte[]> consumer(String group) {
    Map<String, Object> props = KafkaTestUtils.consumerProps(broker, group, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(Topics.POLICY_PUBLISHED));
    return c;
  }

  private static PolicyPublished awaitPublished(
      KafkaConsumer<String, byte[]> consumer, String job, long version) {
    List<PolicyPublished> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        PolicyPublished p = Json.decode(r.topic(), r.value(), PolicyPublished.class);
        assertThat(r.key()).isEqualTo(p.jobId());
        seen.add(p);
        if (p.jobId().equals(job) && p.version() == version) {
          return p;
        }
      }
    }
    throw new AssertionError("no PolicyPublished for " + job + " v" + version + "; saw " + seen);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("policy-store-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
