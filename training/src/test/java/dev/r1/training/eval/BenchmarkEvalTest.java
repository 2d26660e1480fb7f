package dev.r1.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.TinyLm;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.task.TaskRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Evaluation on the real GSM8K and MATH-500 test files (first 20 rows; data root from the {@code
 * r1.data} system property): a tiny random model scores near zero, but loading, generation, answer
 * extraction, voting and the report run end to end, and the gold solutions written in the R1 layout
 * are extracted and judged correct.
 */
class BenchmarkEvalTest {

  static Path data(String file) {
    return Path.of(System.getProperty("r1.data", "../../shared/data"), "benchmarks", file);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gsm8k_test.jsonl", "math500_test.jsonl"})
  void tinyModelEvaluationRunsEndToEnd(String file, @TempDir Path dir) throws Exception {
    List<TaskRow> rows = EvalDatasets.read(data(file), 20);
    assertThat(rows).hasSize(20);
    if (file.startsWith("gsm8k")) {
      assertThat(rows).allSatisfy(r -> assertThat(r.answer()).matches("-?\\d+(\\.\\d+)?"));
    }
    try (Tokenizer tok = Tokenizer.load(TinyTokenizerFactory.write(dir.resolve("tok")));
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(32, 1), 3, root, DataType.FLOAT32)) {
      Evaluator.Evaluation e =
          new Evaluator(model, tok, TinyArithmeticRecipe.prompts())
              .run(root, rows, new Evaluator.Options(4, 1.0, 12, 5, 80));
      Evaluator.Report r = e.report();
      System.out.println(file + ": " + r);
      assertThat(r.prompts()).isEqualTo(20);
      assertThat(r.samplesPerPrompt()).isEqualTo(4);
      for (double rate :
          List.of(
              r.passAt1(),
              r.passAtK(),
              r.consAtK(),
              r.formatRate(),
              r.languageRate(),
              r.reflectionRate(),
              r.truncatedRate(),
              r.answeredRate())) {
        assertThat(rate).isBetween(0.0, 1.0);
      }
      assertThat(r.passAtK()).isGreaterThanOrEqualTo(r.passAt1());
      assertThat(r.meanCompletionLength()).isBetween(1.0, 12.0);
      assertThat(r.asMetrics("eval."))
          .containsKeys(
              "eval.pass_at_1",
              "eval.cons_at_k",
              "eval.format_rate",
              "eval.language_rate",
              "eval.mean_length",
              "eval.reflection_rate");
      assertThat(e.prompts()).hasSize(20);
      assertThat(e.prompts().get(0).gold()).isEqualTo(rows.get(0).answer());
      assertThat(e.prompts().get(0).firstCompletion()).isNotNull();
    }
  }

  @Test
  void goldSolutionsInTheR1LayoutAreExtractedVotedAndJudgedCorrect() throws Exception {
    ObjectMapper json = new ObjectMapper();
    int judged = 0;
    for (String file : List.of("gsm8k_test.jsonl", "math500_test.jsonl")) {
      List<String> lines = Files.readAllLines(data(file)).subList(0, 20);
      List<TaskRow> rows = EvalDatasets.read(data(file), 20);
      for (int i = 0; i < rows.size(); i++) {
        JsonNode n = json.readTree(lines.get(i));
        String reasoning =
            n.has("solution") ? n.get("solution").asText() : n.get("answer").asText();
        String gold = rows.get(i).answer();
        String completion = "<think>\n" + reasoning + "\n</think>\n<answer>" + gold + "</answer>";
        List<String> votes = new ArrayList<>();
        votes.add(Evaluator.extractAnswer(completion));
        votes.add(Evaluator.extractAnswer("<think>\nguess\n</think>\n<answer>-1</answer>"));
        votes.add(Evaluator.extractAnswer(completion));
        String majority = Evaluator.majority(votes).orElseThrow();
        assertThat(Evaluator.matches(gold, majority)).as(file + " row " + i).isTrue();
        judged++;
      }
    }
    assertThat(judged).isEqualTo(40);
  }
}
