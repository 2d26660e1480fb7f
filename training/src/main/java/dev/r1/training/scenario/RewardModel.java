package dev.r1.training.scenario;

import dev.r1.reward.RewardInput;
import java.util.List;

/**
 * A learned reward for prompts without a verifiable answer (the article's "RL across scenarios":
 * helpfulness and harmlessness of general prompts): one score per (prompt, completion).
 * Implementations: {@link SequenceClassifierRewardModel} (a DJL sequence-classification head) and
 * {@link HttpJudgeRewardModel} (a judge behind HTTP).
 */
public interface RewardModel extends AutoCloseable {

  /** The component name the scores are reported under. */
  default String name() {
    return "reward_model";
  }

  /**
   * Scores a batch; {@code input.prompt()} is the rendered prompt, {@code input.completion()} the
   * generated text.
   *
   * @return one finite score per input, in order
   */
  List<Double> score(List<RewardInput> inputs);

  @Override
  default void close() {}
}
