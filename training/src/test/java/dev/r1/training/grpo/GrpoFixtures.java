package dev.r1.training.grpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** Reads {@code grpo/grpo_loss_cases.json} from the fixture root. */
final class GrpoFixtures {

  private GrpoFixtures() {}

  /** One case of the fixture, with its 2-D arrays flattened row-major. */
  record Case(
      String name,
      int groups,
      int groupSize,
      int time,
      GrpoConfig config,
      double[] rewards,
      double[] mask,
      double[] logp,
      double[] logpOld,
      double[] logpRef,
      double[] expectedAdvantages,
      double expectedLoss,
      double expectedKlMean,
      double expectedClipLow,
      double expectedClipHigh,
      double[] expectedGrad,
      double tolerance) {

    int batch() {
      return groups * groupSize;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Path root() {
    Path root = Path.of(System.getProperty("r1.fixtures", "../shared/fixtures"));
    return root.toAbsolutePath().normalize();
  }

  static List<Case> cases() {
    Path file = root().resolve("grpo/grpo_loss_cases.json");
    JsonNode doc;
    try {
      doc = new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read GRPO fixture " + file, e);
    }
    List<Case> out = new ArrayList<>();
    for (JsonNode c : doc.get("cases")) {
      int time = c.get("logp").get(0).size();
      JsonNode exp = c.get("expected");
      GrpoConfig cfg =
          new GrpoConfig(
              c.get("epsilon_low").asDouble(),
              c.get("epsilon_high").asDouble(),
              c.get("beta").asDouble(),
              aggregation(c.get("loss_aggregation").asText()),
              c.get("max_completion_length").asInt(),
              scale(c.get("advantage_scale").asText()),
              OptionalDouble.empty());
      out.add(
          new Case(
              c.get("name").asText(),
              c.get("groups").asInt(),
              c.get("group_size").asInt(),
              time,
              cfg,
              flat(c.get("rewards")),
              flat(c.get("mask")),
              flat(c.get("logp")),
              flat(c.get("logp_old")),
              flat(c.get("logp_ref")),
              flat(exp.get("advantages")),
              exp.get("loss").asDouble(),
              exp.get("kl_mean").asDouble(),
              exp.get("clip_fraction_low").asDouble(),
              exp.get("clip_fraction_high").asDouble(),
              flat(exp.get("grad_logp")),
              c.get("tolerance").asDouble()));
    }
    return out;
  }

  static Case named(String name) {
    return cases().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no GRPO fixture case named " + name));
  }

  private static LossAggregation aggregation(String name) {
    return switch (name) {
      case "sequence_mean" -> LossAggregation.SEQUENCE_MEAN;
      case "token_mean" -> LossAggregation.TOKEN_MEAN;
      case "constant_norm" -> LossAggregation.CONSTANT_NORMALIZER;
      default -> throw new IllegalStateException("unknown loss_aggregation in fixture: " + name);
    };
  }

  private static AdvantageScale scale(String name) {
    return switch (name) {
      case "group" -> AdvantageScale.GROUP;
      case "batch" -> AdvantageScale.BATCH;
      case "none" -> AdvantageScale.NONE;
      default -> throw new IllegalStateException("unknown advantage_scale in fixture: " + name);
    };
  }

  private static double[] flat(JsonNode node) {
    List<Double> values = new ArrayList<>();
    collect(node, values);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> values) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        collect(child, values);
      }
    } else {
      values.add(node.asDouble());
    }
  }
}
