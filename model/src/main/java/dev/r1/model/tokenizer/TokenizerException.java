package dev.r1.model.tokenizer;

/**
 * A tokenizer folder cannot be used: a file is missing or malformed, or a token the configs name
 * (EOS, PAD) is absent. The message names the file and field at fault.
 */
public final class TokenizerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the file or field at fault. */
  public TokenizerException(String message) {
    super(message);
  }

  /** Creates the exception with a message and its cause. */
  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
