package dev.r1.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardRunnerTest {

  private static final String GOOD = "<think>\nadd them\n</think>\n<answer>(5+3)*2</answer>";

  private static RewardRegistry registryWithTestFunctions() {
    return RewardRegistry.builder()
        .withBuiltins()
        .register(
            "slow",
            RewardFactory.of(
                Set.of(),
                p ->
                    fn(
                        "slow",
                        in -> {
                          try {
                            Thread.sleep(60_000);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return RewardResult.ok(1);
                        })))
        .register(
            "stubborn",
            RewardFactory.of(
                Set.of(),
                p ->
                    fn(
                        "stubborn",
                        in -> {
                          long end =
                              System.nanoTime() + 2_000_000_000L; // ignores interrupts for 2 s
                          while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                          }
                          return RewardResult.ok(1);
                        })))
        .register(
            "boom",
            RewardFactory.of(
                Set.of(),
                p ->
                    fn(
                        "boom",
                        in -> {
                          throw new IllegalStateException("kaput at " + in.completion().length());
                        })))
        .build();
  }

  private static RewardFunction fn(
      String name, java.util.function.Function<RewardInput, RewardResult> f) {
    return new RewardFunction() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public RewardResult score(RewardInput input) {
        return f.apply(input);
      }
    };
  }

  @Test
  void weightedTotalOverComponents() {
    RewardRegistry reg = RewardRegistry.builtins();
    Map<String, Object> spec =
        Map.of(
            "rewards",
            List.of(
                Map.of("name", "format", "weight", 0.5),
                Map.of("name", "countdown", "weight", 2.0),
                Map.of("name", "tag_count")));
    try (RewardRunner r = RewardRunner.of(spec, reg, 2)) {
      RewardInput in =
          new RewardInput("", GOOD, null, Map.of("target", 16, "numbers", List.of(5, 3, 2)));
      RewardRunner.Scored s = r.score(in);
      assertThat(s.components().keySet()).containsExactly("format", "countdown", "tag_count");
      assertThat(s.components().get("format").value()).isEqualTo(1.0);
      assertThat(s.components().get("countdown").value()).isEqualTo(1.0);
      // tag_count: "<think>\n" and "\n</think>\n" only (answer tags have no newlines)
      assertThat(s.components().get("tag_count").value()).isEqualTo(0.5);
      assertThat(s.total()).isEqualTo(0.5 + 2.0 + 0.5);
    }
  }

  @Test
  void slowCallIsCancelledAndReportedAsTimeout() {
    Map<String, Object> spec =
        Map.of(
            "timeout_ms",
            200,
            "rewards",
            List.of(Map.of("name", "slow"), Map.of("name", "format")));
    try (RewardRunner r = RewardRunner.of(spec, registryWithTestFunctions(), 2)) {
      long t0 = System.nanoTime();
      List<RewardRunner.Scored> out =
          r.score(List.of(RewardInput.of(GOOD, null), RewardInput.of("x", null)));
      assertThat((System.nanoTime() - t0) / 1e6).isLessThan(3000.0);
      RewardRunner.ComponentScore slow = out.get(0).components().get("slow");
      assertThat(slow.status()).isEqualTo(RewardResult.Status.TIMEOUT);
      assertThat(slow.value()).isZero();
      assertThat(slow.millis()).isGreaterThanOrEqualTo(200);
      assertThat(out.get(0).total()).isEqualTo(1.0);
    }
  }

  @Test
  void callIgnoringInterruptsIsAbandonedOnTime() {
    Map<String, Object> spec =
        Map.of("timeout_ms", 100, "rewards", List.of(Map.of("name", "stubborn")));
    try (RewardRunner r = RewardRunner.of(spec, registryWithTestFunctions(), 1)) {
      long t0 = System.nanoTime();
      RewardRunner.Scored s = r.score(RewardInput.of("x", null));
      assertThat((System.nanoTime() - t0) / 1e6).isLessThan(1500.0);
      assertThat(s.components().get("stubborn").status()).isEqualTo(RewardResult.Status.TIMEOUT);
    }
  }

  @Test
  void exceptionBecomesErrorWithItsMessage() {
    Map<String, Object> spec = Map.of("rewards", List.of(Map.of("name", "boom", "weight", 3)));
    try (RewardRunner r = RewardRunner.of(spec, registryWithTestFunctions(), 1)) {
      RewardRunner.ComponentScore c = r.score(RewardInput.of("abc", null)).components().get("boom");
      assertThat(c.status()).isEqualTo(RewardResult.Status.ERROR);
      assertThat(c.detail()).isEqualTo("kaput at 3");
    }
  }

  @Test
  void groupFunctionsSeeTheirGroupOnly() {
    Map<String, Object> spec =
        Map.of("rewards", List.of(Map.of("name", "length", "params", Map.of("unit", "chars"))));
    try (RewardRunner r = RewardRunner.of(spec, RewardRegistry.builtins(), 2)) {
      List<RewardInput> batch =
          List.of(
              new RewardInput("", "aa", null, Map.of("group_id", "p1", "correct", true)),
              new RewardInput("", "aaaaaa", null, Map.of("group_id", "p2", "correct", true)),
              new RewardInput("", "aaaa", null, Map.of("group_id", "p1", "correct", true)),
              new RewardInput("", "aaaaaaaa", null, Map.of("group_id", "p2", "correct", true)));
      List<RewardRunner.Scored> out = r.score(batch);
      assertThat(out)
          .extracting(s -> s.components().get("length").value())
          .containsExactly(0.5, 0.5, -0.5, -0.5);
    }
  }

  @Test
  void specErrorsNameTheField() {
    RewardRegistry reg = RewardRegistry.builtins();
    assertThatThrownBy(
            () ->
                RewardSpec.fromMap(
                    Map.of(
                        "rewards",
                        List.of(
                            Map.of("name", "format"),
                            Map.of("name", "tag_count", "weight", "high"))),
                    reg))
        .hasMessage("rewards[1].weight must be a number, got String 'high'");
    assertThatThrownBy(
            () -> RewardSpec.fromMap(Map.of("rewards", List.of(Map.of("name", "nope"))), reg))
        .hasMessageStartingWith("rewards[0].name: unknown reward function 'nope'");
    assertThatThrownBy(
            () ->
                RewardSpec.fromMap(
                    Map.of(
                        "rewards",
                        List.of(Map.of("name", "format", "params", Map.of("colour", 1)))),
                    reg))
        .hasMessageStartingWith("rewards[0].params.colour is not a known parameter");
    assertThatThrownBy(
            () ->
                RewardSpec.fromMap(
                    Map.of(
                        "rewards",
                        List.of(
                            Map.of("name", "cosine_length", "params", Map.of("max_len", "long")))),
                    reg))
        .hasMessage("rewards[0].params.max_len must be an integer, got String 'long'");
    assertThatThrownBy(
            () ->
                RewardSpec.fromMap(
                    Map.of("rewards", List.of(Map.of("name", "format")), "timeout_ms", -5), reg))
        .hasMessageStartingWith("timeout_ms must be a positive integer");
    assertThatThrownBy(
            () ->
                RewardSpec.fromMap(
                    Map.of("rewards", List.of(Map.of("name", "format"), Map.of("name", "format"))),
                    reg))
        .hasMessage("rewards[1].name 'format' appears twice");
    assertThatThrownBy(() -> RewardSpec.fromMap(Map.of("rewards", List.of()), reg))
        .hasMessage("rewards must not be empty");
  }

  @Test
  void specRoundTripsThroughJson() throws Exception {
    RewardRegistry reg = RewardRegistry.builtins();
    String json =
        "{\"timeout_ms\": 5000, \"rewards\": [{\"name\": \"format\", \"weight\": 1.0, \"params\": {\"require_answer_tags\": true}},"
            + " {\"name\": \"code\", \"weight\": 2, \"timeout_ms\": 60000}]}";
    RewardSpec spec = RewardSpec.fromJson(json, reg);
    assertThat(spec.timeoutMillis()).isEqualTo(5000);
    assertThat(spec.rewards().get(1).timeout(spec)).isEqualTo(60000);
    assertThat(spec.rewards().get(0).timeout(spec)).isEqualTo(5000);
    assertThat(RewardSpec.fromMap(spec.toMap(), reg)).isEqualTo(spec);
  }

  @Test
  void cliScoresAJsonlFile(@TempDir Path dir) throws Exception {
    Path spec = dir.resolve("spec.json");
    Files.writeString(
        spec, "{\"rewards\":[{\"name\":\"format\"},{\"name\":\"countdown\",\"weight\":2}]}");
    Path in = dir.resolve("in.jsonl");
    Files.writeString(
        in,
        "{\"completion\": \"<think>\\nx\\n</think>\\n<answer>5+3</answer>\", \"reference\": {\"target\": 8, \"numbers\": [5, 3]}}\n"
            + "\n{\"completion\": \"nothing\", \"metadata\": {\"target\": 8, \"numbers\": [5, 3]}}\n");
    Path out = dir.resolve("out.jsonl");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        RewardCli.run(
            new String[] {
              "--spec",
              spec.toString(),
              "--input",
              in.toString(),
              "--output",
              out.toString(),
              "--threads",
              "2"
            },
            RewardRegistry.builtins(),
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"line\":1").contains("\"total\":3.0");
    assertThat(lines.get(1)).contains("\"line\":3").contains("\"total\":0.0");
  }

  @Test
  void cliReportsTheBadLine(@TempDir Path dir) throws Exception {
    Path spec = dir.resolve("spec.json");
    Files.writeString(spec, "{\"rewards\":[{\"name\":\"format\"}]}");
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"completion\": \"ok\"}\n{\"completion\": 5}\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        RewardCli.run(
            new String[] {"--spec", spec.toString(), "--input", in.toString()},
            RewardRegistry.builtins(),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("line 2: completion must be a string");
  }
}
