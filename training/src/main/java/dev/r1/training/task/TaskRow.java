package dev.r1.training.task;

import java.util.Objects;

/**
 * One task example with a verifiable answer.
 *
 * @param promptId a stable id of the example (unique within its task)
 * @param question the user-facing question text (rendered into a prompt by {@link ChatPrompts})
 * @param answer the gold answer a reward function checks against
 */
public record TaskRow(String promptId, String question, String answer) {

  public TaskRow {
    Objects.requireNonNull(promptId, "promptId");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(answer, "answer");
  }
}
