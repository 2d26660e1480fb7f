package dev.r1.contracts;

import java.util.Arrays;

/**
 * One sampled completion of a group, with what the trainer needs to compute importance ratios.
 *
 * <p>Equality compares array contents (unlike a plain record with array components).
 *
 * @param completionId id unique within the job, e.g. {@code groupId + "/" + index}
 * @param text the decoded completion, without the prompt
 * @param tokenIds the generated token ids (without prompt tokens); may be empty
 * @param behaviourLogprobs log pi_old(token | prefix) of each generated token under the sampling
 *     policy, same length as {@code tokenIds}; finite and <= 0 (a tolerance of 1e-3 absorbs
 *     rounding)
 * @param finishReason why generation stopped
 */
public record Completion(
    String completionId,
    String text,
    int[] tokenIds,
    float[] behaviourLogprobs,
    FinishReason finishReason) {

  private static final String T = "Completion";

  public Completion {
    Require.nonBlank(T, "completionId", completionId);
    Require.nonNull(T, "text", text);
    Require.nonNull(T, "tokenIds", tokenIds);
    Require.nonNull(T, "behaviourLogprobs", behaviourLogprobs);
    Require.nonNull(T, "finishReason", finishReason);
    if (tokenIds.length != behaviourLogprobs.length) {
      throw Require.violation(
          T,
          "behaviourLogprobs",
          "has "
              + behaviourLogprobs.length
              + " entries but tokenIds has "
              + tokenIds.length
              + " (completion "
              + completionId
              + ")");
    }
    for (int i = 0; i < tokenIds.length; i++) {
      if (tokenIds[i] < 0) {
        throw Require.violation(T, "tokenIds[" + i + "]", "must be >= 0 but was " + tokenIds[i]);
      }
      float lp = behaviourLogprobs[i];
      if (!Float.isFinite(lp) || lp > 1e-3f) {
        throw Require.violation(
            T,
            "behaviourLogprobs[" + i + "]",
            "must be a finite log-probability <= 0 but was " + lp);
      }
    }
    tokenIds = tokenIds.clone();
    behaviourLogprobs = behaviourLogprobs.clone();
  }

  /** A defensive copy of the generated token ids. */
  @Override
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  /** A defensive copy of the behaviour-policy log-probabilities. */
  @Override
  public float[] behaviourLogprobs() {
    return behaviourLogprobs.clone();
  }

  /** Number of generated tokens. */
  public int length() {
    return tokenIds.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Completion
        && completionId.equals(((Completion) o).completionId)
        && text.equals(((Completion) o).text)
        && Arrays.equals(tokenIds, ((Completion) o).tokenIds)
        && Arrays.equals(behaviourLogprobs, ((Completion) o).behaviourLogprobs)
        && finishReason == ((Completion) o).finishReason;
  }

  @Override
  public int hashCode() {
    return 31 * completionId.hashCode() + Arrays.hashCode(tokenIds);
  }

  @Override
  public String toString() {
    return "Completion[completionId="
        + completionId
        + ", tokens="
        + tokenIds.length
        + ", finishReason="
        + finishReason
        + ", text="
        + (text.length() > 60 ? text.substring(0, 60) + "..." : text)
        + "]";
  }
}
