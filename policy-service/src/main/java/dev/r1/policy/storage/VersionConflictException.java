package dev.r1.policy.storage;

/** A version that already exists or is not newer than the job's latest (rendered as 409). */
public class VersionConflictException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public VersionConflictException(String message) {
    super(message);
  }
}
