package dev.r1.model.tokenizer;

/**
 * A chat template failed to render: a syntax error, a bad expression, or {@code raise_exception}.
 */
public final class ChatTemplateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the template line at fault. */
  public ChatTemplateException(String message) {
    super(message);
  }

  /** Creates the exception with a message and its cause. */
  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
