package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An on-policy job publishes each next step's prompts before its update, asking for the version
 * that update will publish. When the update changes nothing, the trainer must still publish that
 * version, or every sampler waits out {@code r1.sampler.version-wait} on every step.
 */
class OnPolicyLookaheadTest {

  @TempDir Path dir;

  @Test
  void updatesThatChangeNothingStillPublishTheVersionTheNextPromptsAskFor() throws Exception {
    try (LocalPlatform platform =
        LocalPlatform.start(new LocalPlatform.Options(dir.resolve("platform"), null, 1))) {
      // an untrained model answers nothing right: every reward is 0, every group has zero spread,
      // dynamic sampling drops them all, and no update moves the weights
      platform.installBaseModel("tiny-arith", platform.store().modelDir("tiny-random"));
      String job = "lookahead";
      int steps = 3;
      PlatformFixtures.submit(
          platform, job, steps, Map.of("batch_prompts", 2, "group_size", 2, "max_new_tokens", 4));
      JsonNode status = PlatformFixtures.awaitDone(platform, job, Duration.ofMinutes(5));
      assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");
      assertThat(status.path("droppedGroups").path("stale").asLong()).isZero();

      // version 1 is the starting weights; each unchanged step re-published them as the next
      List<Long> versions =
          PlatformFixtures.read(platform, Topics.POLICY_PUBLISHED, PolicyPublished.class).stream()
              .filter(p -> p.jobId().equals(job))
              .map(PolicyPublished::version)
              .distinct()
              .sorted()
              .toList();
      assertThat(versions).containsExactly(1L, 2L, 3L);

      // step k's prompts asked for version k + 1, and its groups were sampled with exactly it
      for (PromptTask t : PlatformFixtures.read(platform, Topics.PROMPTS, PromptTask.class)) {
        if (t.jobId().equals(job)) {
          assertThat(t.requestedPolicyVersion()).as(t.groupId()).isEqualTo(t.step() + 1);
        }
      }
      List<ScoredGroup> scored =
          PlatformFixtures.read(platform, Topics.SCORED_GROUPS, ScoredGroup.class).stream()
              .filter(s -> s.jobId().equals(job))
              .toList();
      assertThat(scored).hasSizeGreaterThanOrEqualTo(steps * 2);
      for (ScoredGroup s : scored) {
        assertThat(s.group().policyVersion())
            .as(s.groupId())
            .isEqualTo(s.group().task().step() + 1);
      }
    }
  }
}
