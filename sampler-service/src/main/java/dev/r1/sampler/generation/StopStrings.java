package dev.r1.sampler.generation;

import dev.r1.model.tokenizer.Tokenizer;
import java.util.List;

/**
 * Cuts a completion after the first token whose text completes one of the task's stop strings (the
 * stop string stays in the completion, like an EOS token does).
 */
final class StopStrings {

  private StopStrings() {}

  /**
   * The number of tokens to keep: the shortest prefix whose decoded text contains a stop string, or
   * {@code tokens.length} when none occurs.
   */
  static int cut(int[] tokens, List<String> stops, Tokenizer tokenizer) {
    if (stops.isEmpty() || tokens.length == 0) {
      return tokens.length;
    }
    if (!containsAny(tokenizer.decode(tokens, false), stops)) {
      return tokens.length;
    }
    int lo = 1;
    int hi = tokens.length; // invariant: prefix of length hi contains a stop string
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (containsAny(tokenizer.decode(java.util.Arrays.copyOf(tokens, mid), false), stops)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hi;
  }

  private static boolean containsAny(String text, List<String> stops) {
    for (String s : stops) {
      if (!s.isEmpty() && text.contains(s)) {
        return true;
      }
    }
    return false;
  }
}
