package dev.r1.model;

/** A model folder, config or checkpoint that cannot be used; the message names what is wrong. */
public class ModelFormatException extends RuntimeException {

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
