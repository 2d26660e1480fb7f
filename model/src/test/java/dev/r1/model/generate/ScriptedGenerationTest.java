package dev.r1.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Generation through the scripted decoder gives what generation through DJL operators gives. */
class ScriptedGenerationTest {

  private static final ModelConfig CONFIG =
      new ModelConfig(
          "qwen2",
          64,
          32,
          64,
          2,
          4,
          2,
          8,
          1e-6,
          10000,
          null,
          true,
          true,
          false,
          256,
          1,
          List.of(2),
          "float32");
  private static final List<int[]> PROMPTS =
      List.of(new int[] {5, 9, 12}, new int[] {7}, new int[] {3, 4, 5, 6, 7, 8});

  @Test
  void greedyAndSeededSamplingMatchTheOperatorByOperatorPath() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 11, root, DataType.FLOAT32)) {
      for (SamplingParams params :
          List.of(
              SamplingParams.greedy(12, Set.of()),
              new SamplingParams(12, 1.0, 0, 1.0, 42, Set.of(2)),
              new SamplingParams(12, 0.8, 5, 0.9, 42, Set.of(2)))) {
        List<Completion> scripted = new Generator(model, 0).generate(root, PROMPTS, params);
        List<Completion> operators =
            new Generator(model, 0).withScriptedDecoding(false).generate(root, PROMPTS, params);
        for (int i = 0; i < PROMPTS.size(); i++) {
          Completion a = scripted.get(i);
          Completion b = operators.get(i);
          assertThat(a.tokens()).as("row %d tokens with %s", i, params).containsExactly(b.tokens());
          assertThat(a.finishReason()).isEqualTo(b.finishReason());
          for (int j = 0; j < a.tokens().length; j++) {
            assertThat(a.logprobs()[j])
                .as("row %d token %d log-prob with %s", i, j, params)
                .isCloseTo(b.logprobs()[j], Offset.offset(1e-4f));
          }
        }
      }
    }
  }

  @Test
  void aGenerationOnOneIntraOpThreadRestoresTheThreadCountAfterwards() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 11, root, DataType.FLOAT32)) {
      int before = JniUtils.getNumThreads();
      SamplingParams params = new SamplingParams(6, 1.0, 0, 1.0, 1, Set.of());
      List<Completion> single =
          new Generator(model, 0).withIntraOpThreads(1).generate(root, PROMPTS, params);
      List<Completion> engine = new Generator(model, 0).generate(root, PROMPTS, params);
      assertThat(JniUtils.getNumThreads()).isEqualTo(before);
      for (int i = 0; i < PROMPTS.size(); i++) {
        assertThat(single.get(i).tokens()).containsExactly(engine.get(i).tokens());
      }
    }
  }
}
