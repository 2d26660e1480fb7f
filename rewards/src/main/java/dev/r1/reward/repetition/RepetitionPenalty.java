package dev.r1.reward.repetition;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TextUnits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * N-gram repetition penalty (open-r1 get_repetition_penalty_reward): {@code (1 - unique / total) *
 * max_penalty} over the completion's n-grams; 0 for an empty completion or fewer words than {@code
 * ngram_size}. Words are lower-cased whitespace-separated words, and every CJK character is a word,
 * so Chinese gets character n-grams (open-r1 uses the jieba segmenter instead). With {@code
 * unit=token_ids} the n-grams run over metadata {@code completion_ids} (TRL's variant).
 */
public final class RepetitionPenalty implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS = Set.of("ngram_size", "max_penalty", "unit");

  private final int ngramSize;
  private final double maxPenalty;
  private final boolean tokenIds;

  public RepetitionPenalty(int ngramSize, double maxPenalty, boolean tokenIds) {
    if (maxPenalty > 0) {
      throw new IllegalArgumentException(
          "params.max_penalty " + maxPenalty + " should not be positive");
    }
    if (ngramSize < 1) {
      throw new IllegalArgumentException("params.ngram_size must be >= 1, got " + ngramSize);
    }
    this.ngramSize = ngramSize;
    this.maxPenalty = maxPenalty;
    this.tokenIds = tokenIds;
  }

  /** From spec params (defaults: ngram_size 3, max_penalty -1, unit words). */
  public static RepetitionPenalty from(RewardParams p) {
    p.requireOnly(PARAMS);
    int n = p.getInt("ngram_size", 3);
    double max = p.getDouble("max_penalty", -1.0);
    if (n < 1) {
      throw p.invalid("ngram_size", "must be >= 1, got " + n);
    }
    if (max > 0) {
      throw p.invalid("max_penalty", max + " should not be positive");
    }
    boolean ids = p.getChoice("unit", "words", Set.of("words", "token_ids")).equals("token_ids");
    return new RepetitionPenalty(n, max, ids);
  }

  @Override
  public String name() {
    return "repetition";
  }

  @Override
  public RewardResult score(RewardInput input) {
    int[] seq = tokenIds ? ids(input.metadata()) : wordIds(input.completion());
    if (seq.length == 0 || seq.length < ngramSize) {
      return RewardResult.ok(0.0, "fewer than " + ngramSize + " words");
    }
    int total = seq.length - ngramSize + 1;
    Set<Gram> unique = new HashSet<>();
    for (int i = 0; i < total; i++) {
      unique.add(new Gram(seq, i, ngramSize));
    }
    double scaling = 1.0 - unique.size() / (double) total;
    return RewardResult.ok(scaling * maxPenalty, unique.size() + "/" + total + " unique n-grams");
  }

  private static int[] wordIds(String text) {
    List<String> words = TextUnits.words(text, true);
    Map<String, Integer> ids = new HashMap<>();
    int[] out = new int[words.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.computeIfAbsent(words.get(i), k -> ids.size());
    }
    return out;
  }

  private static int[] ids(Map<String, Object> metadata) {
    Object v = metadata.get("completion_ids");
    if (!(v instanceof List<?> list)) {
      throw new IllegalArgumentException(
          "metadata.completion_ids must be a list of token ids (unit=token_ids)");
    }
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n)) {
        throw new IllegalArgumentException(
            "metadata.completion_ids[" + i + "] must be a number, got " + list.get(i));
      }
      out[i] = n.intValue();
    }
    return out;
  }

  /** One n-gram: a window of a shared id array. */
  private static final class Gram {
    private final int[] a;
    private final int from;
    private final int n;
    private final int hash;

    Gram(int[] a, int from, int n) {
      this.a = a;
      this.from = from;
      this.n = n;
      int h = 1;
      for (int i = from; i < from + n; i++) {
        h = 31 * h + a[i];
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Gram g) || g.hash != hash) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (a[from + i] != g.a[g.from + i]) {
          return false;
        }
      }
      return true;
    }
  }
}
