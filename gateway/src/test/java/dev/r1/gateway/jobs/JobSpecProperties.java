package dev.r1.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.gateway.GatewayProperties;
import dev.r1.gateway.datasets.Dataset;
import dev.r1.gateway.datasets.Datasets;
import dev.r1.gateway.datasets.TestDatasets;
import dev.r1.gateway.models.TestModels;
import dev.r1.gateway.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.unit.DataSize;

/**
 * jqwik properties for the gateway's parsers, on a real H2 registry migrated by Flyway: job bodies
 * (mutations of valid grpo/sft/eval/distill specs, and garbage) are accepted with every default
 * filled in, or refused with a 400 {@link ApiProblem} naming the field (or saying the body is not
 * JSON / not an object); dataset lines are accepted, skipped when blank, or refused with a 400
 * naming the line. Nothing else escapes (no 500s).
 */
class JobSpecProperties {

  static Path dir;
  static JobSpecValidator validator;
  static String datasetId;

  @BeforeContainer
  static void registry() throws Exception {
    dir = Files.createTempDirectory("jobspec-prop");
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:prop-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    GatewayProperties props =
        new GatewayProperties(
            "",
            "admin",
            dir,
            dir.resolve("models"),
            List.of("tiny-arith", "tiny-countdown"),
            DataSize.ofMegabytes(1),
            false,
            List.of("builtin:arithmetic"));
    Datasets datasets = TestDatasets.create(JdbcClient.create(ds), props);
    Dataset d = TestDatasets.upload(datasets, "alice", "{\"prompt\":\"1+1\",\"answer\":\"2\"}\n");
    datasetId = d.id();
    validator = new JobSpecValidator(TestModels.create(props), datasets);
  }

  @AfterContainer
  static void cleanUp() throws Exception {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String valid(String method) {
    return switch (method) {
      case "grpo" ->
          """
          {"method":"grpo","model":"tiny-arith","dataset":"DS",
           "reward":{"functions":[{"name":"accuracy","weight":1.0},
                                  {"name":"format","weight":0.2,"params":{}}]},
           "hyperparameters":{"group_size":4,"learning_rate":1e-4,"loss_aggregation":"token_mean",
                              "beta":0.0,"max_staleness":1,"dynamic_sampling":true}}
          """;
      case "sft" ->
          """
          {"method":"sft","model":"tiny-arith","dataset":"DS","hyperparameters":{"epochs":1}}
          """;
      default ->
          """
          {"method":"METHOD","model":"tiny-countdown","dataset":"DS"}
          """
              .replace("METHOD", method);
    };
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.of("grpo", "sft", "eval", "distill", "pipeline")
        .flatMap(
            m ->
                JsonArbitraries.mutations(
                    valid(m).replace("DS", datasetId),
                    List.of("method", "model", "dataset", "reward", "hyperparameters", "name")));
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.oneOf(
        JsonArbitraries.garbage(),
        JsonArbitraries.value(2).map(v -> "{\"method\":\"grpo\",\"hyperparameters\":" + v + "}"),
        Arbitraries.of("../../etc/passwd", "/abs/model", "a\\b", "org/name/x", "~root", "c:x", " ")
            .map(
                m ->
                    "{\"method\":\"grpo\",\"model\":"
                        + JsonArbitraries.quote(m)
                        + ",\"dataset\":\""
                        + datasetId
                        + "\"}"));
  }

  @Property(tries = 400)
  void mutatedJobBodiesAreAcceptedOrNameTheField(@ForAll("bodies") String body) {
    check(body);
  }

  @Property(tries = 300)
  void garbageBodiesAreA400(@ForAll("garbage") String body) {
    check(body);
  }

  private static void check(String body) {
    try {
      JobSpecValidator.JobSpec spec =
          validator.validate("alice", body.getBytes(StandardCharsets.UTF_8));
      assertThat(spec.method()).isIn("grpo", "sft", "distill", "eval", "pipeline");
      assertThat(spec.model()).isIn("tiny-arith", "tiny-countdown");
      assertThat(spec.dataset().owner()).isEqualTo("alice");
      assertThat(spec.hyperparameters()).isNotNull();
    } catch (ApiProblem p) {
      assertThat(p.status()).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(p.getMessage()).isNotBlank();
      if (p.field() != null) {
        assertThat(p.getMessage()).startsWith(p.field() + ":");
      } else {
        assertThat(p.getMessage()).startsWith("the body");
      }
    }
  }

  @Provide
  Arbitrary<byte[]> lines() {
    return Arbitraries.oneOf(
        JsonArbitraries.mutations(
                "{\"prompt\":\"What is 2+2?\",\"answer\":\"4\",\"meta\":{\"k\":[1,2]}}",
                List.of("prompt", "question", "answer", "solution"))
            .map(s -> s.getBytes(StandardCharsets.UTF_8)),
        JsonArbitraries.garbage().map(s -> s.getBytes(StandardCharsets.UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
  }

  @Property(tries = 500)
  void datasetLinesAreAcceptedSkippedOrNameTheLine(
      @ForAll("lines") byte[] line, @ForAll @LongRange(min = 1, max = 1_000_000) long number) {
    try {
      boolean record = TestDatasets.validateLine(number, line);
      if (!record) {
        assertThat(new String(line, StandardCharsets.UTF_8)).isBlank();
      }
    } catch (ApiProblem p) {
      assertThat(p.status()).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(p.line()).isEqualTo(number);
      assertThat(p.getMessage()).startsWith("line " + number + ": ");
    }
  }
}
