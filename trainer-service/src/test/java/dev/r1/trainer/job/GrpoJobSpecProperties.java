package dev.r1.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * jqwik property for {@link GrpoJobSpec#from}: any map of the values a JSON decoder produces (ints,
 * longs, big integers, doubles incl. NaN and infinities, big decimals, strings, booleans, lists,
 * maps, null) either yields a spec inside every documented range, or an {@link
 * IllegalArgumentException} naming {@code hyperparameters.<key>}.
 */
class GrpoJobSpecProperties {

  static final List<String> KEYS = new ArrayList<>(GrpoJobSpec.KEYS);

  static {
    KEYS.add("system_prompt");
    KEYS.sort(null);
  }

  @Provide
  Arbitrary<Map<String, Object>> hyperparameters() {
    Arbitrary<String> key =
        Arbitraries.oneOf(Arbitraries.of(KEYS), Arbitraries.strings().ofMaxLength(5));
    return Combinators.combine(key, value())
        .as(Map::entry)
        .list()
        .ofMaxSize(6)
        .map(
            l -> {
              Map<String, Object> m = new LinkedHashMap<>();
              l.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  static Arbitrary<Object> value() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 300).map(i -> (Object) i),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().between(-2, 20).map(d -> (Object) d),
        Arbitraries.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -0.0,
            1e-300,
            2.5,
            1e300,
            new BigInteger("18446744073709551621"),
            new BigInteger("-18446744073709551611"),
            new BigDecimal("1e400"),
            new BigDecimal("0.1"),
            true,
            false,
            "",
            "token_mean",
            "TOKEN_MEAN",
            "group",
            "x".repeat(5000),
            List.of(1),
            Map.of("a", 1)),
        Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s));
  }

  @Property(tries = 500)
  void specIsInRangeOrTheErrorNamesTheKey(@ForAll("hyperparameters") Map<String, Object> h) {
    try {
      GrpoJobSpec s = GrpoJobSpec.from(h);
      assertThat(s.groupSize()).isBetween(2, 256);
      assertThat(s.batchPrompts()).isBetween(1, 4096);
      assertThat(s.maxSteps()).isBetween(1, 1_000_000);
      assertThat(s.learningRate()).isBetween(0.0, 1.0);
      assertThat(s.temperature()).isBetween(1e-3, 10.0);
      assertThat(s.topP()).isBetween(1e-6, 1.0);
      assertThat(s.maxStaleness()).isBetween(0, 64);
      assertThat(s.seed()).isBetween(0L, (long) Integer.MAX_VALUE);
      assertThat(s.iterations()).isBetween(1, 16);
      assertThat(s.digits()).isBetween(1, 6);
      assertThat(s.systemPrompt()).isNotNull();
      // integers are taken exactly, never wrapped or truncated
      for (Map.Entry<String, Object> e : h.entrySet()) {
        if (e.getKey().equals("group_size")) {
          assertThat(new BigDecimal(e.getValue().toString()))
              .isEqualByComparingTo(BigDecimal.valueOf(s.groupSize()));
        }
        if (e.getKey().equals("seed")) {
          assertThat(new BigDecimal(e.getValue().toString()))
              .isEqualByComparingTo(BigDecimal.valueOf(s.seed()));
        }
      }
      s.trainerConfig(0);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("hyperparameters.");
      assertThat(KEYS.stream().anyMatch(k -> e.getMessage().startsWith("hyperparameters." + k)))
          .as("names a key: %s", e.getMessage())
          .isTrue();
    }
  }

  @net.jqwik.api.Example
  void integersBeyondALongAreOutOfRangeNotWrapped() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> GrpoJobSpec.from(Map.of("group_size", new BigInteger("18446744073709551621"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("hyperparameters.group_size must be in [2, 256]");
  }
}
