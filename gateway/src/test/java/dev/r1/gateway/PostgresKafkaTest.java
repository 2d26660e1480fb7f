package dev.r1.gateway;

import dev.r1.gateway.auth.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the gateway on a random port against the real PostgreSQL at
 * 127.0.0.1:5432 (database {@code test}, a schema of its own per test JVM, dropped when the context
 * closes) and an embedded KRaft Kafka broker. All subclasses share one context.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "spring.kafka.consumer.properties.metadata.max.age.ms=1000",
      "r1.gateway.max-dataset-bytes=1MB",
      "r1.gateway.bootstrap-api-key=r1-test-bootstrap-key-0123456789",
      "r1.gateway.builtin-models=tiny-arith,tiny-countdown",
      "logging.level.org.apache.kafka=WARN",
      "logging.level.kafka=WARN",
      "logging.level.org.apache.zookeeper=WARN"
    })
@EmbeddedKafka
@Import(PostgresKafkaTest.Cleanup.class)
public abstract class PostgresKafkaTest {

  /** The schema of this test JVM. */
  public static final String SCHEMA =
      "gw_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

  /** The data directory of this test JVM (datasets land in DATA_DIR/datasets). */
  public static final Path DATA_DIR = tempDir();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.datasource.url",
        () -> "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + SCHEMA);
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.password", () -> "");
    registry.add("spring.flyway.schemas", () -> SCHEMA);
    registry.add("r1.gateway.data-dir", DATA_DIR::toString);
    registry.add("r1.gateway.models-dir", () -> DATA_DIR.resolve("models").toString());
  }

  @Value("${local.server.port}")
  protected int port;

  @Autowired protected JdbcClient jdbc;
  @Autowired protected ApiKeys apiKeys;

  protected Api api;

  @BeforeEach
  void connect() {
    api = new Api(port);
  }

  /** A fresh key of a fresh owner. */
  protected String newKey(String ownerPrefix) {
    return apiKeys.create(ownerPrefix + "-" + System.nanoTime(), "test");
  }

  protected long rows(String table) {
    return jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single();
  }

  protected long storedDatasetFiles() throws IOException {
    Path dir = DATA_DIR.resolve("datasets");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  /** Uploads a valid dataset of {@code n} records and returns its id. */
  protected String uploadDataset(String key, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"prompt\":\"What is ")
          .append(i)
          .append("+1?\",\"answer\":\"")
          .append(i + 1)
          .append("\"}\n");
    }
    Api.Response r =
        api.post(
            "/v1/datasets?filename=sums.jsonl",
            key,
            "application/x-ndjson",
            sb.toString().getBytes(StandardCharsets.UTF_8));
    if (r.status() != 201) {
      throw new IllegalStateException("dataset upload failed: " + r.status() + " " + r.body());
    }
    return r.json().get("id").asText();
  }

  /** Creates a GRPO job on a new dataset and returns the job JSON. */
  protected Api.Response createJob(String key, String datasetId, String extra) {
    return api.postJson(
        "/v1/jobs",
        key,
        "{\"method\":\"grpo\",\"model\":\"tiny-arith\",\"dataset\":\""
            + datasetId
            + "\""
            + (extra == null ? "" : "," + extra)
            + "}");
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("r1-gateway-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Drops the test schema and the data directory when the shared context closes. */
  @TestConfiguration
  static class Cleanup {
    @Bean
    DisposableBean dropTestSchema(JdbcClient jdbc) {
      return () -> {
        jdbc.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE").update();
        try (Stream<Path> files = Files.walk(DATA_DIR)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      };
    }
  }
}
