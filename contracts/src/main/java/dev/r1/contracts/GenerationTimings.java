package dev.r1.contracts;

/**
 * How long the sampler took for one group.
 *
 * @param generationMillis wall time from starting the first completion to finishing the last, >= 0
 * @param tokensPerSecond generated tokens of the whole group per second of {@code
 *     generationMillis}, finite and >= 0
 */
public record GenerationTimings(long generationMillis, double tokensPerSecond) {

  public GenerationTimings {
    Require.nonNegative("GenerationTimings", "generationMillis", generationMillis);
    if (!(tokensPerSecond >= 0) || !Double.isFinite(tokensPerSecond)) {
      throw Require.violation(
          "GenerationTimings",
          "tokensPerSecond",
          "must be finite and >= 0 but was " + tokensPerSecond);
    }
  }
}
