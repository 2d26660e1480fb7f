package dev.r1.training.grpo;

import java.util.List;
import java.util.Objects;

/**
 * The G scored completions of one prompt: the unit GRPO computes advantages over.
 *
 * @param promptId the task row's id (for logs)
 * @param promptIds the prompt's token ids
 * @param completions the group (at least 2 for group-scaled advantages)
 */
public record PromptGroup(String promptId, int[] promptIds, List<SampledCompletion> completions) {

  public PromptGroup {
    Objects.requireNonNull(promptId, "promptId");
    Objects.requireNonNull(promptIds, "promptIds");
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("prompt " + promptId + ": promptIds must not be empty");
    }
    completions = List.copyOf(completions);
    if (completions.isEmpty()) {
      throw new IllegalArgumentException("prompt " + promptId + ": the group has no completions");
    }
  }
}
