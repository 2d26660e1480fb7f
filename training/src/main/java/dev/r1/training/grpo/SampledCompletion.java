package dev.r1.training.grpo;

import dev.r1.model.generate.Completion;
import java.util.Map;
import java.util.Objects;

/**
 * One scored completion of a prompt, as the trainer receives it from the sampler and the reward
 * service.
 *
 * @param tokens the generated ids (including the stop token when one ended it)
 * @param behaviourLogprobs per token, log-softmax(logits / temperature) under the policy that
 *     sampled it ({@link Completion#scaledLogprobs()})
 * @param truncated whether generation hit the length limit without a stop token
 * @param reward the total (weighted) reward
 * @param rewardComponents each reward function's value by name (may be empty)
 * @param policyVersion the trainer's policy version that sampled it
 */
public record SampledCompletion(
    int[] tokens,
    float[] behaviourLogprobs,
    boolean truncated,
    double reward,
    Map<String, Double> rewardComponents,
    long policyVersion) {

  public SampledCompletion {
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(behaviourLogprobs, "behaviourLogprobs");
    if (tokens.length == 0) {
      throw new IllegalArgumentException("tokens must hold at least one generated token");
    }
    if (behaviourLogprobs.length != tokens.length) {
      throw new IllegalArgumentException(
          "behaviourLogprobs has "
              + behaviourLogprobs.length
              + " entries for "
              + tokens.length
              + " tokens");
    }
    if (!Double.isFinite(reward)) {
      throw new IllegalArgumentException("reward must be finite, got " + reward);
    }
    rewardComponents = rewardComponents == null ? Map.of() : Map.copyOf(rewardComponents);
  }

  /** From a sampler {@link Completion} and its rewards. */
  public static SampledCompletion of(
      Completion c, double reward, Map<String, Double> components, long policyVersion) {
    return new SampledCompletion(
        c.tokens(),
        c.scaledLogprobs(),
        "length".equals(c.finishReason()),
        reward,
        components,
        policyVersion);
  }
}
