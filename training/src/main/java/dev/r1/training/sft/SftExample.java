package dev.r1.training.sft;

import dev.r1.model.tokenizer.Tokenizer;
import java.util.Objects;

/**
 * One supervised example: prompt ids (not trained on) and response ids (trained on, usually ending
 * with the end-of-turn token).
 */
public record SftExample(int[] prompt, int[] response) {

  public SftExample {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(response, "response");
    if (response.length == 0) {
      throw new IllegalArgumentException("response must hold at least one token");
    }
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt must hold at least one token");
    }
  }

  /** Tokenizes a rendered prompt and a response, appending {@code endId} to the response. */
  public static SftExample of(Tokenizer tokenizer, String prompt, String response, int endId) {
    int[] r = tokenizer.encode(response);
    int[] withEnd = java.util.Arrays.copyOf(r, r.length + 1);
    withEnd[r.length] = endId;
    return new SftExample(tokenizer.encode(prompt), withEnd);
  }

  public int length() {
    return prompt.length + response.length;
  }
}
