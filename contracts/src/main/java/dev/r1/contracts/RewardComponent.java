package dev.r1.contracts;

/**
 * One reward function's verdict on one completion.
 *
 * @param name the reward's name as in the job's reward spec, e.g. {@code accuracy}, {@code format}
 * @param value the (unweighted) reward, finite; 0 unless {@code status} is OK
 * @param weight the weight the job gives this reward in the total, finite
 * @param status OK, TIMEOUT or ERROR
 * @param millis how long the reward function ran, >= 0
 * @param detail a short reason (what was extracted, why it failed); never null
 */
public record RewardComponent(
    String name, double value, double weight, RewardStatus status, long millis, String detail) {

  private static final String T = "RewardComponent";

  public RewardComponent {
    Require.nonBlank(T, "name", name);
    Require.finite(T, "value", value);
    Require.finite(T, "weight", weight);
    Require.nonNull(T, "status", status);
    Require.nonNegative(T, "millis", millis);
    detail = detail == null ? "" : detail;
  }

  /** {@code weight * value}. */
  public double weighted() {
    return weight * value;
  }
}
