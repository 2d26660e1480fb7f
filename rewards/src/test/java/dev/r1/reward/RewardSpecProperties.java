package dev.r1.reward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * jqwik properties for {@link RewardSpec}: specs built from every registered function with random
 * values for its documented params, mutations of a valid spec, and garbage text either parse into a
 * spec that round-trips, or fail with an {@link IllegalArgumentException} naming the field ({@code
 * rewards[i].params.x}, {@code timeout_ms}, ...). Nothing else escapes.
 */
class RewardSpecProperties {

  static final RewardRegistry REGISTRY = RewardRegistry.builtins();
  static final List<String> NAMES = new ArrayList<>(new TreeSet<>(REGISTRY.names()));

  static final String VALID =
      """
      {"rewards":[{"name":"accuracy","weight":1.0},
                  {"name":"format","weight":0.5,"params":{}},
                  {"name":"soft_overlong","weight":1,"timeout_ms":500}],
       "timeout_ms":2000}
      """;

  /** One entry: a registered name and random values for some of its params. */
  @Provide
  Arbitrary<String> randomParams() {
    Arbitrary<String> entry =
        Arbitraries.of(NAMES)
            .flatMap(
                name -> {
                  Set<String> params = REGISTRY.parameters(name);
                  List<String> keys =
                      params == null || params.isEmpty() ? List.of("x") : new ArrayList<>(params);
                  Arbitrary<String> kv =
                      Combinators.combine(Arbitraries.of(keys), JsonArbitraries.value(1))
                          .as((k, v) -> JsonArbitraries.quote(k) + ":" + v);
                  return kv.list()
                      .ofMaxSize(3)
                      .map(
                          l ->
                              "{\"name\":\""
                                  + name
                                  + "\",\"params\":{"
                                  + String.join(",", l)
                                  + "}}");
                });
    return entry
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(l -> "{\"rewards\":[" + String.join(",", l) + "]}");
  }

  @Provide
  Arbitrary<String> mutated() {
    return JsonArbitraries.mutations(VALID, List.of("name", "weight", "params", "timeout_ms"));
  }

  @Provide
  Arbitrary<String> garbage() {
    return JsonArbitraries.garbage();
  }

  @Property(tries = 400)
  void randomParamsParseOrNameTheField(@ForAll("randomParams") String json) {
    check(json);
  }

  @Property(tries = 300)
  void mutatedSpecsParseOrNameTheField(@ForAll("mutated") String json) {
    check(json);
  }

  @Property(tries = 200)
  void garbageIsRejectedClearly(@ForAll("garbage") String json) {
    check(json);
  }

  private static void check(String json) {
    try {
      RewardSpec spec = RewardSpec.fromJson(json, REGISTRY);
      assertThat(spec.rewards()).isNotEmpty();
      assertThat(RewardSpec.fromMap(spec.toMap(), REGISTRY)).isEqualTo(spec);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(e.getMessage())
          .as("starts with the field at fault")
          .matches("(?s)(rewards|timeout_ms|reward spec).*");
    }
  }

  @net.jqwik.api.Example
  void aNullParamMeansTheDefault() {
    RewardSpec spec =
        RewardSpec.fromJson(
            "{\"rewards\":[{\"name\":\"repetition\",\"params\":{\"ngram_size\":2,\"max_penalty\":null}}]}",
            REGISTRY);
    assertThat(spec.rewards().get(0).params()).containsOnlyKeys("ngram_size");
  }
}
