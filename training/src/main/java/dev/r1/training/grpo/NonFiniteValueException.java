package dev.r1.training.grpo;

/**
 * A NaN or infinite value where the GRPO loss needs a finite one (a log-prob from a diverged
 * forward pass, a reward); names the input and the position.
 */
public final class NonFiniteValueException extends IllegalArgumentException {

  NonFiniteValueException(String message) {
    super(message);
  }
}
