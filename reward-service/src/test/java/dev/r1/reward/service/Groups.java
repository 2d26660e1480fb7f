package dev.r1.reward.service;

import dev.r1.contracts.Completion;
import dev.r1.contracts.FinishReason;
import dev.r1.contracts.GenerationTimings;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds sampled groups for tests. */
final class Groups {

  private Groups() {}

  /** A group whose completions are {@code texts}, ids {@code groupId/i}. */
  static SampledGroup of(
      String jobId,
      String groupId,
      String prompt,
      String reference,
      Map<String, Object> metadata,
      String... texts) {
    PromptTask task =
        PromptTask.ofText(
            jobId,
            "p-" + groupId,
            groupId,
            3,
            0,
            7,
            prompt,
            reference,
            metadata,
            SamplingParams.r1Defaults(texts.length, 256));
    List<Completion> completions = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      completions.add(
          new Completion(
              groupId + "/" + i,
              texts[i],
              new int[] {11, 12, 13},
              new float[] {-0.5f, -1.25f, -0.01f},
              FinishReason.STOP));
    }
    return new SampledGroup(
        SampledGroup.SCHEMA_VERSION,
        jobId,
        task.promptId(),
        groupId,
        2,
        task,
        new int[] {1, 2, 3},
        completions,
        new GenerationTimings(120, 25.0),
        "sampler-test");
  }
}
