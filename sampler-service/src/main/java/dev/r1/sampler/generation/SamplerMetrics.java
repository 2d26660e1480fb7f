package dev.r1.sampler.generation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/** The sampler's meters. */
@Component
class SamplerMetrics {

  private final Counter tokens;
  private final Timer generation;
  private final DistributionSummary occupancy;
  private final AtomicLong tokensPerSecondBits = new AtomicLong(Double.doubleToLongBits(0));

  SamplerMetrics(MeterRegistry meters) {
    tokens =
        Counter.builder("r1.sampler.tokens")
            .description("generated tokens")
            .baseUnit("tokens")
            .register(meters);
    generation =
        Timer.builder("r1.sampler.generation")
            .description("time to generate one batch of groups")
            .register(meters);
    occupancy =
        DistributionSummary.builder("r1.sampler.batch.occupancy")
            .description("prompt tasks per batch divided by r1.sampler.max-batch-prompts")
            .register(meters);
    Gauge.builder(
            "r1.sampler.tokens.per.second",
            tokensPerSecondBits,
            b -> Double.longBitsToDouble(b.get()))
        .description("generated tokens per second in the last batch")
        .register(meters);
  }

  void batch(int prompts, int maxPrompts) {
    occupancy.record((double) prompts / maxPrompts);
  }

  void generated(long tokenCount, long nanos) {
    tokens.increment(tokenCount);
    generation.record(nanos, TimeUnit.NANOSECONDS);
    double seconds = nanos / 1e9;
    tokensPerSecondBits.set(Double.doubleToLongBits(seconds > 0 ? tokenCount / seconds : 0));
  }
}
