package dev.r1.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a completion ended. Written in JSON as {@code "stop"} or {@code "length"}. */
public enum FinishReason {
  /** The model produced its end-of-sequence token or one of the stop strings. */
  @JsonProperty("stop")
  STOP,
  /** The completion hit {@link SamplingParams#maxNewTokens()} (candidates for overlong shaping). */
  @JsonProperty("length")
  LENGTH
}
