package dev.r1.reward;

import java.util.Map;
import java.util.Objects;

/**
 * What a reward function sees of one sampled completion.
 *
 * @param prompt the prompt text the completion answers (may be empty)
 * @param completion the generated text, without the prompt
 * @param reference the task's reference: a gold answer, a countdown target spec, test cases... (may
 *     be null when the reward needs none)
 * @param metadata task-specific extras from the dataset row (e.g. {@code numbers}, {@code target},
 *     {@code language}); never null
 */
public record RewardInput(
    String prompt, String completion, String reference, Map<String, Object> metadata) {

  public RewardInput {
    prompt = prompt == null ? "" : prompt;
    Objects.requireNonNull(completion, "completion");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public static RewardInput of(String completion, String reference) {
    return new RewardInput("", completion, reference, Map.of());
  }
}
