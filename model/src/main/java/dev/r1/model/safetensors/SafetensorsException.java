package dev.r1.model.safetensors;

/**
 * A safetensors file, sharded checkpoint index or tensor request is invalid. The message names the
 * file and, where one is at fault, the tensor.
 */
public class SafetensorsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with the given message. */
  public SafetensorsException(String message) {
    super(message);
  }

  /** Creates an exception with the given message and cause. */
  public SafetensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
