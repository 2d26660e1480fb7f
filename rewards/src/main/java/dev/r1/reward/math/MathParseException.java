package dev.r1.reward.math;

/** The answer text is not a parsable math expression (or is too deep/long to parse safely). */
final class MathParseException extends RuntimeException {
  MathParseException(String message) {
    super(message, null, false, false);
  }
}
