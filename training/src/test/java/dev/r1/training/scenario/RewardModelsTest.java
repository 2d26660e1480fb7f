package dev.r1.training.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.ModelFormatException;
import dev.r1.model.safetensors.SafetensorsWriter;
import dev.r1.model.safetensors.TensorData;
import dev.r1.model.safetensors.TensorStore;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.training.TinyLm;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.task.TaskRow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardModelsTest {

  /** Writes a tiny LlamaForSequenceClassification-style folder with a random score head. */
  static Path classifier(Path dir, long seed, int headRows, int headCols) throws Exception {
    ModelConfig config = TinyLm.config(32, 1);
    config.write(dir);
    TinyTokenizerFactory.write(dir);
    CausalLm.ParameterSource source = CausalLm.randomSource(seed, 0.02);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    CausalLm.parameterShapes(config)
        .forEach(
            (name, shape) -> {
              double[] v = source.values(name, shape);
              float[] f = new float[v.length];
              for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
              }
              tensors.put(name, TensorData.of(f, shape.getShape()));
            });
    float[] head = new float[headRows * headCols];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < head.length; i++) {
      head[i] = (float) (r.nextDouble() - 0.5);
    }
    tensors.put("score.weight", TensorData.of(head, headRows, headCols));
    SafetensorsWriter.writeF32(dir.resolve(TensorStore.SINGLE_FILE), tensors);
    return dir;
  }

  private static final List<RewardInput> INPUTS =
      List.of(
          new RewardInput("<|im_start|>user\nhi<|im_end|>\n", "Hello! How can I help?", null, null),
          new RewardInput("<|im_start|>user\nhi<|im_end|>\n", "no", null, null),
          new RewardInput("p", "a much longer answer that goes on and on", null, null));

  @Test
  void sequenceClassifierScoresDeterministicallyAndPaddingInvariant(@TempDir Path dir)
      throws Exception {
    Path folder = classifier(dir.resolve("rm"), 5, 2, 32);
    List<Double> batched;
    try (SequenceClassifierRewardModel rm = SequenceClassifierRewardModel.load(folder, 256, 8)) {
      batched = rm.score(INPUTS);
      assertThat(batched).hasSize(3).allSatisfy(v -> assertThat(v).isFinite());
      assertThat(batched.get(0)).isNotEqualTo(batched.get(1));
      // scored one at a time (no padding) the scores match the left-padded batch
      for (int i = 0; i < INPUTS.size(); i++) {
        assertThat(rm.score(List.of(INPUTS.get(i))).get(0))
            .isCloseTo(batched.get(i), org.assertj.core.data.Offset.offset(1e-4));
      }
    }
    try (SequenceClassifierRewardModel again = SequenceClassifierRewardModel.load(folder, 256, 2)) {
      assertThat(again.score(INPUTS)).isEqualTo(batched);
    }
  }

  @Test
  void mixedScenarioGrpoStepScoresGeneralPromptsWithTheRewardModel(@TempDir Path dir)
      throws Exception {
    Path folder = classifier(dir.resolve("rm"), 9, 1, 32);
    try (dev.r1.model.tokenizer.Tokenizer tok =
            dev.r1.model.tokenizer.Tokenizer.load(TinyTokenizerFactory.write(dir.resolve("tok")));
        ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager();
        CausalLm policy =
            CausalLm.random(TinyLm.config(32, 1), 1, root, ai.djl.ndarray.types.DataType.FLOAT32);
        SequenceClassifierRewardModel rm = SequenceClassifierRewardModel.load(folder, 128, 16);
        RewardRunner rules =
            RewardRunner.of(TinyArithmeticRecipe.rewardSpec(), RewardRegistry.builtins(), 1);
        dev.r1.training.grpo.GrpoTrainer trainer =
            new dev.r1.training.grpo.GrpoTrainer(
                policy,
                null,
                dev.r1.training.grpo.GrpoTrainerConfig.defaults(1e-4, tok.padTokenId())
                    .withFilters(true, false), // random completions hit the limit: train them
                root)) {
      dev.r1.training.grpo.LocalGrpoLoop loop =
          new dev.r1.training.grpo.LocalGrpoLoop(
              policy,
              tok,
              TinyArithmeticRecipe.prompts(),
              new ScenarioScorer(rules, rm, ScenarioScorer.byIdPrefix("general:"), 1.0),
              trainer,
              new dev.r1.training.grpo.LocalGrpoLoop.Config(1, 4, 4, 8, 1.0, 3));
      dev.r1.training.grpo.LocalGrpoLoop.StepReport r =
          loop.step(
              root,
              1,
              List.of(
                  new TaskRow("arith-12+30", "12+30", "42"),
                  new TaskRow("general:greet", "Say hello to a friend.", ""),
                  new TaskRow("arith-5+5", "5+5", "10"),
                  new TaskRow("general:poem", "Write a short line about the sea.", "")));
      // the reward model's scores differ across the random completions, so groups have a spread
      assertThat(r.metrics().rewardComponentMeans()).containsKeys("reward_model", "accuracy");
      assertThat(r.metrics().skipped()).isFalse();
      assertThat(r.reflectionRate()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void aHeadOfTheWrongWidthIsNamed(@TempDir Path dir) throws Exception {
    Path folder = classifier(dir.resolve("bad"), 5, 1, 16);
    assertThatThrownBy(() -> SequenceClassifierRewardModel.load(folder, 64, 4))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("score.weight")
        .hasMessageContaining("[1, 16]");
  }

  @Test
  void httpJudgeScoresThroughARealServer() throws Exception {
    ObjectMapper json = new ObjectMapper();
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/judge",
        ex -> {
          calls.incrementAndGet();
          JsonNode body = json.readTree(ex.getRequestBody());
          StringBuilder sb = new StringBuilder("{\"scores\":[");
          for (int i = 0; i < body.get("items").size(); i++) {
            sb.append(i > 0 ? "," : "")
                .append(body.get("items").get(i).get("completion").asText().length() / 10.0);
          }
          byte[] out = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.createContext(
        "/broken",
        ex -> {
          byte[] out = "overloaded".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(503, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      HttpJudgeRewardModel judge =
          new HttpJudgeRewardModel(URI.create(base + "/judge"), Duration.ofSeconds(5));
      assertThat(judge.score(INPUTS)).containsExactly(2.2, 0.2, 4.0);
      assertThat(calls.get()).isEqualTo(1);
      HttpJudgeRewardModel broken =
          new HttpJudgeRewardModel(URI.create(base + "/broken"), Duration.ofSeconds(5));
      assertThatThrownBy(() -> broken.score(INPUTS))
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("overloaded");

      // RL across scenarios: reasoning rows get rule rewards, general rows the judge
      try (RewardRunner rules =
          RewardRunner.of(TinyArithmeticRecipe.rewardSpec(), RewardRegistry.builtins(), 1)) {
        ScenarioScorer scorer =
            new ScenarioScorer(rules, judge, ScenarioScorer.byIdPrefix("general:"), 0.5);
        List<TaskRow> rows =
            List.of(new TaskRow("arith-1+1", "1+1", "2"), new TaskRow("general:hi", "hi", ""));
        List<RewardRunner.Scored> s =
            scorer.score(
                rows,
                List.of(
                    RewardInput.of("<think>\n1+1=2\n</think>\n<answer>2</answer>", "2"),
                    new RewardInput("hi", "Hello there, friend!", "", null)));
        assertThat(s.get(0).components()).containsKeys("accuracy", "format");
        assertThat(s.get(0).components().get("accuracy").value()).isEqualTo(1.0);
        assertThat(s.get(1).components()).containsOnlyKeys("judge");
        assertThat(s.get(1).total()).isEqualTo(0.5 * 2.0);
      }
    } finally {
      server.stop(0);
    }
  }
}
