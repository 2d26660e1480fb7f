package dev.r1.policy.storage;

/** A name or upload that cannot be stored (rendered as 400). */
public class InvalidNameException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidNameException(String message) {
    super(message);
  }

  public InvalidNameException(String message, Throwable cause) {
    super(message, cause);
  }
}
