package dev.r1.reward.length;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TokenCounter;
import java.util.Set;

/**
 * DAPO's soft overlong punishment: 0 up to {@code max_completion_len - soft_punish_cache} tokens,
 * then falling linearly to -1 at {@code max_completion_len}, and -1 beyond. Tokens come from
 * metadata {@code completion_tokens} when given, else from the {@link TokenCounter}.
 */
public final class SoftOverlongPenalty implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS = Set.of("max_completion_len", "soft_punish_cache");

  private final int maxLen;
  private final int cache;
  private final TokenCounter counter;

  public SoftOverlongPenalty(int maxLen, int cache, TokenCounter counter) {
    this.maxLen = maxLen;
    this.cache = cache;
    this.counter = counter;
  }

  /** From spec params; both are required. */
  public static SoftOverlongPenalty from(RewardParams p, TokenCounter counter) {
    p.requireOnly(PARAMS);
    if (!p.has("max_completion_len")) {
      throw p.invalid("max_completion_len", "is required");
    }
    if (!p.has("soft_punish_cache")) {
      throw p.invalid("soft_punish_cache", "is required");
    }
    int max = p.getInt("max_completion_len", 0);
    int cache = p.getInt("soft_punish_cache", 0);
    if (max <= 0) {
      throw p.invalid("max_completion_len", "must be > 0, got " + max);
    }
    if (cache < 0 || cache > max) {
      throw p.invalid("soft_punish_cache", "must be in [0, max_completion_len], got " + cache);
    }
    return new SoftOverlongPenalty(max, cache, counter);
  }

  @Override
  public String name() {
    return "soft_overlong";
  }

  @Override
  public RewardResult score(RewardInput input) {
    int len = counter.count(input);
    return RewardResult.ok(penalty(len), "tokens=" + len);
  }

  double penalty(int len) {
    int soft = maxLen - cache;
    if (len <= soft) {
      return 0.0;
    }
    if (len <= maxLen) {
      return (soft - len) / (double) cache;
    }
    return -1.0;
  }
}
