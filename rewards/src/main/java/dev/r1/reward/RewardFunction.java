package dev.r1.reward;

/**
 * One verifiable reward: a pure function of a completion and what the task knows about it.
 *
 * <p>Implementations must be thread-safe and side-effect free. They may be slow or hostile-input
 * sensitive; the caller ({@code RewardRunner}) bounds each call in time and turns exceptions into
 * an {@link RewardResult.Status#ERROR} result, so an implementation may simply throw.
 */
public interface RewardFunction {

  /** The name used in reward specs and metric tags, e.g. {@code accuracy}, {@code format}. */
  String name();

  /** Scores one completion. */
  RewardResult score(RewardInput input);
}
