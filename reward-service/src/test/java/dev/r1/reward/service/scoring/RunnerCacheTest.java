package dev.r1.reward.service.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runner cache: one runner per spec, bounded, spec errors naming the field. */
class RunnerCacheTest {

  private static final Map<String, Object> FORMAT =
      Map.of("rewards", List.of(Map.of("name", "format")));
  private static final Map<String, Object> TAGS =
      Map.of("rewards", List.of(Map.of("name", "tag_count", "weight", 2.0)));
  private static final List<RewardInput> ONE =
      List.of(RewardInput.of("<think>\nx\n</think>\n<answer>\n1\n</answer>", null));

  @Test
  void keepsOneRunnerPerSpecAndEvictsTheLeastRecentlyUsed() {
    try (RunnerCache cache = new RunnerCache(RewardRegistry.builtins(), 2, 5000, 1)) {
      assertThat(cache.score(FORMAT, "spec", ONE).scores().get(0).total()).isEqualTo(1.0);
      assertThat(cache.size()).isEqualTo(1);
      assertThat(cache.score(TAGS, "spec", ONE).scores().get(0).total()).isEqualTo(2.0);
      assertThat(cache.size()).isEqualTo(1);
      // the evicted spec is rebuilt and still scores
      assertThat(cache.score(FORMAT, "spec", ONE).scores().get(0).total()).isEqualTo(1.0);
    }
  }

  @Test
  void appliesTheDefaultTimeoutUnlessTheSpecSetsOne() {
    try (RunnerCache cache = new RunnerCache(RewardRegistry.builtins(), 1, 1234, 4)) {
      assertThat(cache.parse(FORMAT, "spec").timeoutMillis()).isEqualTo(1234);
      assertThat(
              cache
                  .parse(
                      Map.of("timeout_ms", 99, "rewards", List.of(Map.of("name", "format"))),
                      "spec")
                  .timeoutMillis())
          .isEqualTo(99);
    }
  }

  @Test
  void specErrorsArePrefixedWithTheSpecPathAndNameTheField() {
    try (RunnerCache cache = new RunnerCache(RewardRegistry.builtins(), 1, 1000, 4)) {
      assertThatThrownBy(
              () ->
                  cache.parse(
                      Map.of("rewards", List.of(Map.of("name", "format", "weight", true))),
                      "task.metadata.reward_spec"))
          .isInstanceOfSatisfying(
              InvalidRewardSpecException.class,
              e -> {
                assertThat(e.field()).isEqualTo("task.metadata.reward_spec.rewards[0].weight");
                assertThat(e.getMessage())
                    .startsWith("task.metadata.reward_spec.rewards[0].weight must be a number");
              });
      assertThatThrownBy(() -> cache.parse(Map.of("reward", List.of()), "spec"))
          .isInstanceOfSatisfying(
              InvalidRewardSpecException.class,
              e -> {
                assertThat(e.field()).isEqualTo("spec");
                assertThat(e.getMessage()).startsWith("spec: unknown field 'reward'");
              });
      assertThatThrownBy(
              () ->
                  cache.parse(
                      Map.of(
                          "rewards",
                          List.of(Map.of("name", "accuracy", "params", Map.of("precison", 3)))),
                      "spec"))
          .isInstanceOfSatisfying(
              InvalidRewardSpecException.class,
              e -> assertThat(e.field()).isEqualTo("spec.rewards[0].params.precison"));
    }
  }
}
