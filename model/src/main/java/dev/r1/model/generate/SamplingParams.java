package dev.r1.model.generate;

import java.util.Set;

/**
 * How to sample completions.
 *
 * @param maxNewTokens the most tokens generated per row (the completion may stop earlier)
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it
 * @param topK keep the k most likely tokens (0 = all)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = all)
 * @param seed the seed; row i of a batch draws from its own stream derived from (seed, i), so a
 *     row's sample does not depend on what else is in the batch
 * @param stopIds token ids that end a row (included in the completion); usually the EOS ids
 */
public record SamplingParams(
    int maxNewTokens, double temperature, int topK, double topP, long seed, Set<Integer> stopIds) {

  public SamplingParams {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }
    stopIds = stopIds == null ? Set.of() : Set.copyOf(stopIds);
  }

  /** Greedy decoding. */
  public static SamplingParams greedy(int maxNewTokens, Set<Integer> stopIds) {
    return new SamplingParams(maxNewTokens, 0, 0, 1, 0, stopIds);
  }

  /** The same parameters with another seed. */
  public SamplingParams withSeed(long newSeed) {
    return new SamplingParams(maxNewTokens, temperature, topK, topP, newSeed, stopIds);
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
