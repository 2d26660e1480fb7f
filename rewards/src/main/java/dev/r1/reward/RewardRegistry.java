package dev.r1.reward;

import dev.r1.reward.code.CodeReward;
import dev.r1.reward.countdown.CountdownReward;
import dev.r1.reward.format.FormatReward;
import dev.r1.reward.format.ReasoningStepsReward;
import dev.r1.reward.format.TagCountReward;
import dev.r1.reward.language.LanguageConsistencyReward;
import dev.r1.reward.length.CosineLengthReward;
import dev.r1.reward.length.KimiLengthReward;
import dev.r1.reward.length.SoftOverlongPenalty;
import dev.r1.reward.math.AccuracyOptions;
import dev.r1.reward.math.AccuracyReward;
import dev.r1.reward.repetition.RepetitionPenalty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reward functions by name: {@code name -> factory(params)}. Immutable once built.
 *
 * <pre>{@code
 * RewardRegistry registry = RewardRegistry.builder()
 *     .withBuiltins()                       // format, tag_count, length, countdown, code...
 *     .register("accuracy", RewardFactory.of(null,
 *         p -> new AccuracyReward(AccuracyOptions.from(p.asMap()))))
 *     .build();
 * }</pre>
 */
public final class RewardRegistry {

  private final Map<String, RewardFactory> factories;

  private RewardRegistry(Map<String, RewardFactory> factories) {
    this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
  }

  /** A builder with no functions registered. */
  public static Builder builder() {
    return new Builder();
  }

  /** The built-in rule rewards with the approximate token counter. */
  public static RewardRegistry builtins() {
    return builder().withBuiltins().build();
  }

  /** The registered names. */
  public Set<String> names() {
    return factories.keySet();
  }

  /**
   * The parameter names the named function accepts, or null when the function validates its own
   * parameters.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public Set<String> parameters(String name) {
    RewardFactory f = factories.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown reward function '" + name + "' (known: " + new TreeSet<>(names()) + ")");
    }
    return f.params();
  }

  public boolean contains(String name) {
    return factories.containsKey(name);
  }

  /**
   * Builds the named function; unknown names and parameters are rejected with errors naming the
   * field ({@code params.path} prefixes them, e.g. {@code rewards[1].params.max_len}).
   */
  public RewardFunction create(String name, RewardParams params) {
    RewardFactory f = factories.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown reward function '" + name + "' (known: " + new TreeSet<>(names()) + ")");
    }
    if (f.params() != null) {
      params.requireOnly(f.params());
    }
    return Objects.requireNonNull(f.create(params), "factory of " + name + " returned null");
  }

  /** Builds a {@link RewardRegistry}. */
  public static final class Builder {
    private final Map<String, RewardFactory> factories = new LinkedHashMap<>();
    private TokenCounter tokenCounter = TokenCounter.approximate();

    private Builder() {}

    /** Token counter for the length rewards registered by {@link #withBuiltins()} after this. */
    public Builder tokenCounter(TokenCounter counter) {
      this.tokenCounter = Objects.requireNonNull(counter);
      return this;
    }

    /** Registers the built-in rule rewards (not accuracy: see the class comment). */
    public Builder withBuiltins() {
      TokenCounter tc = tokenCounter;
      register(
          "format",
          RewardFactory.of(
              FormatReward.PARAMS, p -> new FormatReward(FormatReward.Options.from(p))));
      register("tag_count", RewardFactory.of(TagCountReward.PARAMS, p -> new TagCountReward()));
      register(
          "reasoning_steps",
          RewardFactory.of(ReasoningStepsReward.PARAMS, ReasoningStepsReward::from));
      register(
          "language_consistency",
          RewardFactory.of(LanguageConsistencyReward.PARAMS, LanguageConsistencyReward::from));
      register(
          "length", RewardFactory.of(KimiLengthReward.PARAMS, p -> KimiLengthReward.from(p, tc)));
      register(
          "cosine_length",
          RewardFactory.of(CosineLengthReward.PARAMS, p -> CosineLengthReward.from(p, tc)));
      register(
          "soft_overlong",
          RewardFactory.of(SoftOverlongPenalty.PARAMS, p -> SoftOverlongPenalty.from(p, tc)));
      register("repetition", RewardFactory.of(RepetitionPenalty.PARAMS, RepetitionPenalty::from));
      register("countdown", RewardFactory.of(CountdownReward.PARAMS, CountdownReward::from));
      register("code", RewardFactory.of(CodeReward.PARAMS, CodeReward::from));
      register(
          "accuracy",
          RewardFactory.of(
              AccuracyOptions.PARAMS, p -> new AccuracyReward(AccuracyOptions.from(p.asMap()))));
      return this;
    }

    /** Registers (or replaces) a function under {@code name}. */
    public Builder register(String name, RewardFactory factory) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("reward name must not be blank");
      }
      factories.put(name, Objects.requireNonNull(factory, "factory"));
      return this;
    }

    public RewardRegistry build() {
      return new RewardRegistry(factories);
    }
  }
}
