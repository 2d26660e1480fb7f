package dev.r1.training.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The R1 recipe end to end at tiny scale (the quick preset): the cold start teaches the format,
 * majority voting does not lose to single samples on the RL model, and a student distilled from the
 * RL teacher beats a student of the same size trained without a teacher (cold start + GRPO) under
 * the same compute budget (token passes; the wall-clock version is {@code R1PipelineBench}).
 */
@Tag("learning")
class R1PipelineTest {

  @Test
  void quickPipelineShowsTheArticlesFindings(@TempDir Path dir) throws Exception {
    // the quick preset with the longer distillation the comparison needs (the preset's 150 steps
    // keep `./r1 run --quick` short; at 300 the distilled student's lead is clear)
    PipelineConfig c = PipelineConfig.quick().with(Map.of("distill_steps", 300));
    Path tok = TinyTokenizerFactory.write(dir.resolve("tok"));
    List<String> events = new ArrayList<>();
    R1Pipeline.Result r =
        new R1Pipeline(
                c,
                dir.resolve("run"),
                new R1Pipeline.Listener() {
                  @Override
                  public void stageStarted(int index, String name) {
                    events.add("start " + index + " " + name);
                  }

                  @Override
                  public void stageCompleted(R1Pipeline.StageResult s) {
                    events.add("done " + s.index() + " " + s.name());
                    System.out.printf(
                        Locale.ROOT,
                        "stage %d %-13s %6.1fs %s %s%n",
                        s.index(),
                        s.name(),
                        s.seconds(),
                        s.eval(),
                        s.metrics());
                  }
                })
            .run(tok);

    assertThat(events)
        .containsExactly(
            "start 1 cold_start",
            "done 1 cold_start",
            "start 2 grpo",
            "done 2 grpo",
            "start 3 rejection_sft",
            "done 3 rejection_sft",
            "start 4 grpo",
            "done 4 grpo",
            "start 5 distill",
            "done 5 distill",
            "start 6 eval",
            "done 6 eval");
    for (R1Pipeline.StageResult s : r.stages().subList(0, 5)) {
      assertThat(s.model().resolve("model.safetensors")).isRegularFile();
      assertThat(s.model().resolve("tokenizer.json")).isRegularFile();
    }
    assertThat(r.stages().get(0).eval().formatRate())
        .as("format rate after the cold start")
        .isGreaterThanOrEqualTo(0.95);
    assertThat(r.teacher().consAtK())
        .as("cons@%d of the RL model vs its pass@1", c.evalSamples())
        .isGreaterThanOrEqualTo(r.teacher().passAt1());
    assertThat(r.teacher().samplesPerPrompt()).isEqualTo(16);

    // the distillation dataset: verified traces with provenance
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(r.distillDataset());
    assertThat(lines).isNotEmpty();
    JsonNode row = json.readTree(lines.get(0));
    assertThat(row.get("source").asText()).isEqualTo("rejection");
    assertThat(row.get("model").asText()).contains("stage-4-grpo");
    assertThat(row.get("rewards").has("accuracy")).isTrue();
    assertThat(row.get("rewards").get("accuracy").asDouble()).isEqualTo(1.0);
    assertThat(row.get("response").asText()).contains("</think>");

    long distillPasses = 3 * r.studentTrainTokens();
    GrpoOnlyStudent.Outcome baseline =
        GrpoOnlyStudent.train(c, tok, r.studentBase(), false, Double.MAX_VALUE, distillPasses, 500);
    System.out.printf(
        Locale.ROOT,
        "%n| model | pass@1 | cons@%d | format | train wall s | token passes |%n"
            + "|---|---|---|---|---|---|%n"
            + "| teacher (RL, %d hidden) | %.3f | %.3f | %.3f | | |%n"
            + "| student distilled (%d hidden) | %.3f | %.3f | %.3f | %.1f | %d |%n"
            + "| student GRPO only, same base (%d steps) | %.3f | %.3f | %.3f | %.1f | %d |%n",
        c.evalSamples(),
        c.teacherHidden(),
        r.teacher().passAt1(),
        r.teacher().consAtK(),
        r.teacher().formatRate(),
        c.studentHidden(),
        r.student().passAt1(),
        r.student().consAtK(),
        r.student().formatRate(),
        r.studentTrainSeconds(),
        distillPasses,
        baseline.grpoSteps(),
        baseline.report().passAt1(),
        baseline.report().consAtK(),
        baseline.report().formatRate(),
        baseline.seconds(),
        baseline.tokenPasses());
    assertThat(baseline.tokenPasses()).isGreaterThanOrEqualTo(distillPasses);
    assertThat(r.student().passAt1())
        .as("distilled student vs GRPO-only student at equal compute")
        .isGreaterThan(baseline.report().passAt1());
    Map<String, Double> last = r.stages().get(5).metrics();
    assertThat(last).containsKey("student.eval.pass_at_1");
  }
}
