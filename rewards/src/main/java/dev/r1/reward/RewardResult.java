package dev.r1.reward;

/**
 * The outcome of one reward function on one completion.
 *
 * @param value the reward (0 when the status is not OK)
 * @param status OK, or why no real value could be computed
 * @param detail a short human-readable reason (what was extracted, why it failed); may be empty
 */
public record RewardResult(double value, Status status, String detail) {

  /** Why a reward has the value it has. */
  public enum Status {
    OK,
    TIMEOUT,
    ERROR
  }

  public RewardResult {
    detail = detail == null ? "" : detail;
  }

  public static RewardResult ok(double value) {
    return new RewardResult(value, Status.OK, "");
  }

  public static RewardResult ok(double value, String detail) {
    return new RewardResult(value, Status.OK, detail);
  }

  public static RewardResult timeout(String detail) {
    return new RewardResult(0, Status.TIMEOUT, detail);
  }

  public static RewardResult error(String detail) {
    return new RewardResult(0, Status.ERROR, detail);
  }
}
