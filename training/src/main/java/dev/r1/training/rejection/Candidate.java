package dev.r1.training.rejection;

import java.util.Map;
import java.util.Objects;

/**
 * One sampled completion offered to the rejection filter, with where it came from.
 *
 * @param promptId the prompt's id in its dataset
 * @param question the user turn (what an SFT row's prompt will be)
 * @param gold the gold answer (null when the prompt has none)
 * @param response the completion text
 * @param completionTokens its length in tokens
 * @param truncated whether it hit the generation limit without a stop token
 * @param rewards each reward component's value as the reward fleet (or runner) scored it
 * @param rewardTotal the weighted total
 * @param model the model reference that sampled it (e.g. {@code job:p1-s2-grpo@41})
 * @param policyVersion the policy version that sampled it
 */
public record Candidate(
    String promptId,
    String question,
    String gold,
    String response,
    int completionTokens,
    boolean truncated,
    Map<String, Double> rewards,
    double rewardTotal,
    String model,
    long policyVersion) {

  public Candidate {
    Objects.requireNonNull(promptId, "promptId");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(response, "response");
    rewards = rewards == null ? Map.of() : Map.copyOf(rewards);
    model = model == null ? "" : model;
  }
}
