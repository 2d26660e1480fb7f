package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.reward.RewardInput;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of the accuracy reward on MATH-500: completions made of the reference solution inside
 * a think block followed by a boxed answer (half right, half another problem's answer). Run with
 * {@code mvn -o test -pl rewards -Dtest=AccuracyBenchmarkTest -Dr1.bench=true}.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "r1.bench", matches = "true")
class AccuracyBenchmarkTest {

  @Test
  void printsScoredCompletionsPerSecondOnMath500() throws Exception {
    List<JsonNode> rows = Fixtures.jsonl(Fixtures.data().resolve("benchmarks/math500_test.jsonl"));
    List<RewardInput> inputs = new ArrayList<>();
    long chars = 0;
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String gold = row.get("answer").asText();
      String other = rows.get((i + 1) % rows.size()).get("answer").asText();
      String body = "<think>" + row.get("solution").asText() + "</think>\nThe answer is $\\boxed{";
      inputs.add(RewardInput.of(body + gold + "}$.", gold));
      inputs.add(RewardInput.of(body + other + "}$.", gold));
      chars += 2L * body.length();
    }
    AccuracyReward reward = new AccuracyReward();
    for (RewardInput in : inputs) {
      reward.score(in); // warm-up
    }
    int rounds = 5;
    long t0 = System.nanoTime();
    double sum = 0;
    for (int r = 0; r < rounds; r++) {
      for (RewardInput in : inputs) {
        sum += reward.score(in).value();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double single = rounds * inputs.size() / secs;
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t1 = System.nanoTime();
    List<Future<Double>> fs = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (RewardInput in : inputs) {
        fs.add(pool.submit(() -> reward.score(in).value()));
      }
    }
    for (Future<Double> f : fs) {
      f.get();
    }
    double multi = fs.size() / ((System.nanoTime() - t1) / 1e9);
    pool.shutdown();
    System.out.printf(
        "accuracy bench: %d completions (avg %d chars), mean reward %.3f%n"
            + "  single thread: %.0f completions/s (%.1f us each)%n"
            + "  %d threads:    %.0f completions/s%n",
        inputs.size(),
        chars / inputs.size(),
        sum / (rounds * inputs.size()),
        single,
        1e6 / single,
        threads,
        multi);
    assertThat(sum / (rounds * inputs.size())).isBetween(0.48, 0.52);
  }
}
