package dev.r1.policy.publish;

/** The broker did not acknowledge a PolicyPublished (rendered as 503; the version stays stored). */
public class PublishFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PublishFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
