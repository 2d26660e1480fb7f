package dev.r1.reward;

/**
 * Counts the tokens of a completion for the length rewards. Plug in a real tokenizer where one is
 * at hand; the default approximates (see {@link #approximate()}).
 */
@FunctionalInterface
public interface TokenCounter {

  /** Metadata key holding the sampler's exact token count; preferred when present. */
  String METADATA_KEY = "completion_tokens";

  int count(String text);

  /**
   * The token count of an input: metadata {@value #METADATA_KEY} when given, else {@link #count}.
   */
  default int count(RewardInput input) {
    Object v = input.metadata().get(METADATA_KEY);
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (v != null) {
      throw new IllegalArgumentException(
          "metadata." + METADATA_KEY + " must be a number, got " + RewardParams.describe(v));
    }
    return count(input.completion());
  }

  /**
   * Whitespace-separated words plus one token per CJK character: close enough to BPE counts for
   * thresholds like DAPO's overlong cache when no exact count is available.
   */
  static TokenCounter approximate() {
    return text -> TextUnits.words(text, false).size();
  }
}
