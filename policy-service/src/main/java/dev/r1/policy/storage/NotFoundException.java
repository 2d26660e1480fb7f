package dev.r1.policy.storage;

/** A model, version or file that the store does not have (rendered as 404). */
public class NotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
