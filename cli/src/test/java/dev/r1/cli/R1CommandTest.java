package dev.r1.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command-line tool end to end on a tiny model folder it writes itself. */
class R1CommandTest {

  @TempDir static Path dir;
  static Path model;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = R1Command.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void writeTinyModel() {
    model = dir.resolve("tiny");
    Run r = run("tiny-model", "--out", model.toString(), "--hidden", "32", "--layers", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.exists(model.resolve("tokenizer.json"))).isTrue();
  }

  @Test
  void inspectReportsConfigParameterCountAndTensors() throws Exception {
    Run r = run("inspect", "--model", model.toString(), "--tensors");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("parameters_stored").asLong())
        .isEqualTo(j.get("parameters_from_config").asLong());
    assertThat(j.get("dtypes").has("F32")).isTrue();
    assertThat(j.get("tensors").get(0).get("name").asText()).startsWith("model.");
  }

  @Test
  void generateWithChatTemplateReturnsTokensAndLogprobsAsJson() throws Exception {
    Run r =
        run(
            "generate",
            "--model",
            model.toString(),
            "--chat",
            "What is 2+3?",
            "--max-new-tokens",
            "5",
            "--temperature",
            "0.8",
            "--seed",
            "3",
            "-n",
            "2",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("completions")).hasSize(2);
    JsonNode c = j.get("completions").get(0);
    assertThat(c.get("tokens").size()).isBetween(1, 5);
    assertThat(c.get("logprobs").size()).isEqualTo(c.get("tokens").size());
    assertThat(c.get("logprobs").get(0).asDouble()).isLessThanOrEqualTo(0);
    // same seed, same output
    Run again =
        run(
            "generate",
            "--model",
            model.toString(),
            "--chat",
            "What is 2+3?",
            "--max-new-tokens",
            "5",
            "--temperature",
            "0.8",
            "--seed",
            "3",
            "-n",
            "2",
            "--json");
    assertThat(again.out()).isEqualTo(r.out());
  }

  @Test
  void scoreGivesOneLogprobPerPredictedToken() throws Exception {
    Run r = run("score", "--model", model.toString(), "--ids", "2,10,20,30,40");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("logprobs")).hasSize(4);
    assertThat(j.get("entropy")).hasSize(4);
    assertThat(j.get("perplexity").asDouble()).isGreaterThan(1);
  }

  @Test
  void badInputIsAClearErrorWithExitCode2() {
    Run r = run("score", "--model", model.toString(), "--ids", "2,9999");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("token id 9999 at position 1 is outside the vocabulary");
    Run missing = run("inspect", "--model", dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("config.json not found");
  }
}
