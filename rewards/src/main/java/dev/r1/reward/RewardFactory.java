package dev.r1.reward;

import java.util.Set;

/**
 * Makes a configured {@link RewardFunction} from validated parameters. Registered under a name in a
 * {@link RewardRegistry}.
 */
public interface RewardFactory {

  /**
   * The parameter names this function accepts; the registry rejects any other. Return {@code null}
   * to let {@link #create} validate the parameters itself.
   */
  Set<String> params();

  /** Builds the function; throws {@link IllegalArgumentException} naming a bad parameter. */
  RewardFunction create(RewardParams params);

  /** A factory with a fixed set of accepted parameter names. */
  static RewardFactory of(
      Set<String> params, java.util.function.Function<RewardParams, RewardFunction> make) {
    Set<String> copy = params == null ? null : Set.copyOf(params);
    return new RewardFactory() {
      @Override
      public Set<String> params() {
        return copy;
      }

      @Override
      public RewardFunction create(RewardParams p) {
        return make.apply(p);
      }
    };
  }
}
