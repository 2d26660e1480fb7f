package dev.r1.contracts;

import java.util.List;

/**
 * How the sampler must generate the group for one {@link PromptTask}.
 *
 * @param groupSize G, the number of completions to sample for the prompt (>= 1; GRPO needs >= 2 for
 *     a non-trivial advantage)
 * @param temperature softmax temperature, >= 0 (0 means greedy)
 * @param topP nucleus mass in (0, 1]; 1 disables nucleus filtering
 * @param topK keep the k most likely tokens; 0 disables top-k filtering
 * @param maxNewTokens generation budget per completion, >= 1; a completion that hits it ends with
 *     {@link FinishReason#LENGTH}
 * @param stop extra stop strings besides the tokenizer's end-of-sequence token (never null)
 * @param seed base seed for reproducible sampling, or null for a random one
 */
public record SamplingParams(
    int groupSize,
    double temperature,
    double topP,
    int topK,
    int maxNewTokens,
    List<String> stop,
    Long seed) {

  private static final String T = "SamplingParams";

  public SamplingParams {
    if (groupSize < 1) {
      throw Require.violation(T, "groupSize", "must be >= 1 but was " + groupSize);
    }
    if (!(temperature >= 0) || !Double.isFinite(temperature)) {
      throw Require.violation(T, "temperature", "must be finite and >= 0 but was " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw Require.violation(T, "topP", "must be in (0, 1] but was " + topP);
    }
    if (topK < 0) {
      throw Require.violation(T, "topK", "must be >= 0 (0 = disabled) but was " + topK);
    }
    if (maxNewTokens < 1) {
      throw Require.violation(T, "maxNewTokens", "must be >= 1 but was " + maxNewTokens);
    }
    stop = Require.optionalList(T, "stop", stop);
  }

  /**
   * The DeepSeek-R1 defaults: temperature 0.6, top-p 0.95, no top-k, no extra stop strings, random
   * seed.
   */
  public static SamplingParams r1Defaults(int groupSize, int maxNewTokens) {
    return new SamplingParams(groupSize, 0.6, 0.95, 0, maxNewTokens, List.of(), null);
  }
}
