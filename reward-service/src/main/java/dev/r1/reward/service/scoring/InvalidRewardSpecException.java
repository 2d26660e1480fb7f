package dev.r1.reward.service.scoring;

/**
 * A reward spec that cannot be used: not an object, an unknown function, a bad weight or parameter.
 * Retrying never helps; the message names the field at fault (e.g. {@code
 * task.metadata.reward_spec.rewards[0].weight must be a number}).
 */
public class InvalidRewardSpecException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * @param field the path of the spec at fault, e.g. {@code spec.rewards[0].weight}
   * @param message the full message, naming the field
   */
  public InvalidRewardSpecException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The path of the spec at fault. */
  public String field() {
    return field;
  }
}
