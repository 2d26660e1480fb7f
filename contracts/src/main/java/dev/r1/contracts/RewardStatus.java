package dev.r1.contracts;

/** Whether a reward component has a real value (mirrors the rewards library's result status). */
public enum RewardStatus {
  /** The reward function returned a value. */
  OK,
  /** The reward function ran past its time limit; the value is 0. */
  TIMEOUT,
  /** The reward function threw; the value is 0 and the detail says why. */
  ERROR
}
