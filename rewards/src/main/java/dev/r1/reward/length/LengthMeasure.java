package dev.r1.reward.length;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.TokenCounter;
import java.util.Set;

/** How the length rewards measure a completion and learn whether it is correct. */
record LengthMeasure(boolean chars, boolean assumeCorrect, TokenCounter counter) {

  static final Set<String> UNITS = Set.of("chars", "tokens");
  static final Set<String> CORRECTNESS = Set.of("metadata", "assume_correct");

  static LengthMeasure from(RewardParams p, TokenCounter counter) {
    boolean chars = p.getChoice("unit", "tokens", UNITS).equals("chars");
    boolean assume = p.getChoice("correctness", "metadata", CORRECTNESS).equals("assume_correct");
    return new LengthMeasure(chars, assume, counter);
  }

  int length(RewardInput in) {
    return chars ? in.completion().codePointCount(0, in.completion().length()) : counter.count(in);
  }

  /** Metadata {@code correct} (Boolean), or true in the reference-free mode. */
  boolean correct(RewardInput in) {
    Object v = in.metadata().get("correct");
    if (v instanceof Boolean b) {
      return b;
    }
    if (v != null) {
      throw new IllegalArgumentException("metadata.correct must be true or false, got " + v);
    }
    if (assumeCorrect) {
      return true;
    }
    throw new IllegalArgumentException(
        "metadata.correct is missing (score accuracy first, or set params.correctness="
            + "assume_correct)");
  }
}
