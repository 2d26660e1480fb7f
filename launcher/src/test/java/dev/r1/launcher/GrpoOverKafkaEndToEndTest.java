package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.GroupRef;
import dev.r1.contracts.Topics;
import dev.r1.contracts.TrainingBatch;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GRPO loop across services on a real broker: a tiny model is taught the output format by a
 * short SFT on the arithmetic task, then an on-policy GRPO job (max_staleness 0) runs through the
 * trainer, sampler, reward and policy services over Kafka. Held-out accuracy must rise by 15 points
 * and mean reward must rise; every trained group traces to its prompt and policy version; no group
 * is trained twice; no message is left unconsumed.
 *
 * <p>On-policy, the run is reproducible: every group is sampled with exactly the version its step
 * trains, from seeds derived from the job seed and the group id, and the trainer orders each batch
 * by prompt, so sampler timing does not change what is learned. The run is reproducible on one
 * machine, not across CPUs: MKL picks different kernels on different processors, and the rounding
 * differences change the SFT and GRPO trajectories. With the recipe's earlier 16 prompts a step at
 * temperature 0.7 this test measured +17 points on one CPU and +12 on an AMD Zen machine; with 32
 * prompts at temperature 0.5 (see {@link dev.r1.training.recipe.TinyArithmeticRecipe}) the
 * in-process loop gains 16-17 points on that Zen machine over three seeds. The asynchronous mode
 * (max_staleness 1, where timing decides which version samples a group) is measured by {@link
 * GrpoThroughputBench}.
 */
class GrpoOverKafkaEndToEndTest {

  static final int GRPO_STEPS = Integer.getInteger("r1.e2e.grpoSteps", 200);
  static final int PROMPTS = PlatformFixtures.PROMPTS;
  static final int GROUP = PlatformFixtures.GROUP;
  static final int MAX_NEW = PlatformFixtures.MAX_NEW;

  /** Held-out accuracy gain the issue asks for (see the class comment for the measured spread). */
  static final double MIN_GAIN = 0.15;

  @TempDir Path dir;

  @Test
  void grpoOverKafkaRaisesHeldOutAccuracyAndTracesEveryGroup() throws Exception {
    ArithmeticTask task = PlatformFixtures.task();
    List<TaskRow> heldOut = task.heldOut(200);
    ChatPrompts prompts = PlatformFixtures.prompts();
    Path base = dir.resolve("tiny-arith");
    double accuracyBefore = PlatformFixtures.coldStart(task, prompts, heldOut, base);

    String jobId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    try (LocalPlatform platform =
        LocalPlatform.start(new LocalPlatform.Options(dir.resolve("platform"), null, 1))) {
      platform.installBaseModel("tiny-arith", base);
      PlatformFixtures.submit(platform, jobId, GRPO_STEPS, Map.of("max_staleness", 0));
      JsonNode status = PlatformFixtures.awaitDone(platform, jobId, Duration.ofMinutes(20));
      assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");

      // held-out accuracy of the final policy, evaluated exactly as before training
      long finalVersion = status.get("policyVersion").asLong();
      Path finalDir = platform.store().versionFile(jobId, finalVersion, "config.json").getParent();
      double accuracyAfter;
      try (Tokenizer tok = Tokenizer.load(finalDir);
          NDManager root = NDManager.newBaseManager();
          CausalLm model = CausalLm.load(finalDir, root, DataType.FLOAT32)) {
        accuracyAfter =
            new Evaluator(model, tok, prompts)
                .evaluate(root, heldOut, Evaluator.Options.greedy(MAX_NEW))
                .passAt1();
      }
      System.out.printf(
          "End-to-end GRPO over Kafka: held-out accuracy %.3f -> %.3f after %d steps%n",
          accuracyBefore, accuracyAfter, GRPO_STEPS);
      assertThat(accuracyAfter - accuracyBefore)
          .as("held-out accuracy %.3f -> %.3f", accuracyBefore, accuracyAfter)
          .isGreaterThanOrEqualTo(MIN_GAIN);

      // mean reward rises: the last quarter of steps against the first quarter
      List<Double> rewards = PlatformFixtures.stepRewards(platform, jobId);
      assertThat(rewards).hasSize(GRPO_STEPS);
      int q = GRPO_STEPS / 4;
      double first = rewards.subList(0, q).stream().mapToDouble(d -> d).average().orElseThrow();
      double last =
          rewards.subList(GRPO_STEPS - q, GRPO_STEPS).stream()
              .mapToDouble(d -> d)
              .average()
              .orElseThrow();
      assertThat(last)
          .as("reward mean first quarter %.3f, last %.3f", first, last)
          .isGreaterThan(first);

      // every trained group traces to its prompt and policy version, and none is trained twice
      List<TrainingBatch> batches =
          PlatformFixtures.read(platform, Topics.TRAINING_BATCHES, TrainingBatch.class).stream()
              .filter(b -> b.jobId().equals(jobId))
              .toList();
      assertThat(batches).hasSize(GRPO_STEPS);
      Set<String> groupIds = new HashSet<>();
      for (TrainingBatch b : batches) {
        assertThat(b.groups()).hasSize(PROMPTS);
        for (GroupRef g : b.groups()) {
          assertThat(groupIds.add(g.groupId())).as("group %s trained twice", g.groupId()).isTrue();
          assertThat(g.promptId()).isNotBlank();
          assertThat(g.policyVersion()).isBetween(1L, b.trainerPolicyVersion() - 1);
          assertThat(g.completionIds()).hasSize(GROUP);
          assertThat(g.sourceOffset()).isNotNull();
        }
      }
      JsonNode trained = status.get("trainedGroups");
      assertThat(trained.size()).isEqualTo(GRPO_STEPS * PROMPTS);
      assertThat(finalVersion).isBetween(2L, GRPO_STEPS + 1L);

      // nothing left unconsumed on the topics of the loop
      PlatformFixtures.assertNoLag(platform, "r1-sampler", Topics.PROMPTS);
      PlatformFixtures.assertNoLag(platform, "r1-reward", Topics.SAMPLED_GROUPS);
      PlatformFixtures.assertNoLag(platform, "r1-trainer", Topics.SCORED_GROUPS);
    }
  }
}
