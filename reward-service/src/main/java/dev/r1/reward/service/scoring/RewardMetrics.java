package dev.r1.reward.service.scoring;

import dev.r1.reward.RewardResult;
import dev.r1.reward.RewardRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The service's meters: per reward function {@code r1.reward.latency} (timer), {@code
 * r1.reward.timeouts} and {@code r1.reward.errors} (counters) and {@code r1.reward.value}
 * (distribution of values); {@code r1.reward.groups} (scored groups), {@code r1.reward.completions}
 * and {@code r1.dead.letters} (tags {@code topic}, {@code reason}).
 */
@Component
public class RewardMetrics {

  private final MeterRegistry registry;

  public RewardMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one function's outcome on one completion. */
  public void component(String function, RewardRunner.ComponentScore score) {
    Timer.builder("r1.reward.latency")
        .description("Time one reward function took on one completion")
        .tag("function", function)
        .register(registry)
        .record(Duration.ofMillis(score.millis()));
    // both counters exist for every function seen, at zero until it times out or fails, so a
    // dashboard's rate over them reads 0 rather than no data
    Counter timeouts =
        counter("r1.reward.timeouts", "Reward function calls that ran past their limit", function);
    Counter errors = counter("r1.reward.errors", "Reward function calls that failed", function);
    if (score.status() == RewardResult.Status.TIMEOUT) {
      timeouts.increment();
    } else if (score.status() == RewardResult.Status.ERROR) {
      errors.increment();
    } else {
      DistributionSummary.builder("r1.reward.value")
          .description("Reward values (unweighted) of successful calls")
          .tag("function", function)
          .register(registry)
          .record(score.value());
    }
  }

  /** Records every component of a scored batch. */
  public void batch(Iterable<RewardRunner.Scored> scores) {
    for (RewardRunner.Scored s : scores) {
      for (Map.Entry<String, RewardRunner.ComponentScore> c : s.components().entrySet()) {
        component(c.getKey(), c.getValue());
      }
    }
  }

  /** One group from Kafka scored and published, with its completion count. */
  public void groupScored(int completions) {
    Counter.builder("r1.reward.groups").description("Groups scored").register(registry).increment();
    completionsScored("kafka", completions);
  }

  /** Completions scored, by source ({@code kafka} or {@code http}). */
  public void completionsScored(String source, int completions) {
    Counter.builder("r1.reward.completions")
        .description("Completions scored")
        .tag("source", source)
        .register(registry)
        .increment(completions);
  }

  /** One record sent to a dead-letter topic. */
  public void deadLetter(String topic, String reason) {
    Counter.builder("r1.dead.letters")
        .description("Records sent to a dead-letter topic")
        .tag("topic", topic)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  private Counter counter(String name, String description, String function) {
    return Counter.builder(name)
        .description(description)
        .tag("function", function)
        .register(registry);
  }
}
