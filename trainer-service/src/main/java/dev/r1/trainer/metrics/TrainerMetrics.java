package dev.r1.trainer.metrics;

import dev.r1.training.grpo.GrpoStepMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * The trainer's per-step RL metrics as Micrometer meters tagged with the job: reward mean/std
 * (total and per function), frac_reward_zero_std, advantages, kl, clip ratios, entropy, completion
 * lengths, reflection rate (dev.r1.training.reflection), tokens/s, step time by phase, and the
 * policy lag of the samples used.
 */
@Component
public class TrainerMetrics {

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();

  public TrainerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The step's values under the names the job events and dashboards use (finite ones only). */
  public static Map<String, Double> asMap(GrpoStepMetrics m, double waitSeconds) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("reward_mean", m.rewardMean());
    out.put("reward_std", m.rewardStd());
    m.rewardComponentMeans().forEach((k, v) -> out.put("rewards." + k + ".mean", v));
    out.put("frac_reward_zero_std", m.fracRewardZeroStd());
    out.put("groups_trained", (double) m.groupsTrained());
    out.put("advantage_mean", m.advantageMean());
    out.put("advantage_std", m.advantageStd());
    out.put("advantage_min", m.advantageMin());
    out.put("advantage_max", m.advantageMax());
    out.put("loss", m.loss());
    out.put("kl", m.kl());
    out.put("clip_ratio_low", m.clipRatioLow());
    out.put("clip_ratio_high", m.clipRatioHigh());
    out.put("clip_ratio_region", m.clipRatioRegion());
    out.put("entropy", m.entropy());
    out.put("completion_length_mean", m.completionLengthMean());
    out.put("completion_length_max", (double) m.completionLengthMax());
    out.put("clipped_ratio", m.clippedRatio());
    out.put("grad_norm", m.gradNorm());
    out.put("learning_rate", m.learningRate());
    out.put("tokens_per_second", m.tokensPerSecond());
    out.put("policy_lag_mean", m.policyLagMean());
    out.put("policy_lag_max", (double) m.policyLagMax());
    out.put("update_seconds", m.updateSeconds());
    out.put("wait_seconds", waitSeconds);
    out.put("policy_version", (double) m.policyVersion());
    out.values().removeIf(v -> v == null || !Double.isFinite(v));
    return out;
  }

  /** Records one step of a job. */
  public void record(
      String jobId,
      Map<String, Double> values,
      double waitSeconds,
      double updateSeconds,
      double publishSeconds) {
    values.forEach((name, v) -> gauge(jobId, name, v));
    registry
        .timer("r1.trainer.step.duration", Tags.of("job", jobId, "phase", "wait"))
        .record((long) (waitSeconds * 1e9), TimeUnit.NANOSECONDS);
    registry
        .timer("r1.trainer.step.duration", Tags.of("job", jobId, "phase", "update"))
        .record((long) (updateSeconds * 1e9), TimeUnit.NANOSECONDS);
    registry
        .timer("r1.trainer.step.duration", Tags.of("job", jobId, "phase", "publish"))
        .record((long) (publishSeconds * 1e9), TimeUnit.NANOSECONDS);
    registry.counter("r1.trainer.steps", "job", jobId).increment();
  }

  /** Counts updates skipped for a NaN or infinite loss or gradient. */
  public void nonFiniteSkip(String jobId) {
    registry.counter("r1.trainer.updates.nonfinite", "job", jobId).increment();
  }

  /** Counts groups a job did not train on, by reason (stale, duplicate, unexpected). */
  public void dropped(String jobId, String reason) {
    registry.counter("r1.trainer.groups.dropped", "job", jobId, "reason", reason).increment();
  }

  private void gauge(String jobId, String name, double value) {
    String meter = meterName(name);
    Tags tags = Tags.of("job", jobId);
    if (name.startsWith("rewards.")) {
      String fn = name.substring("rewards.".length(), name.length() - ".mean".length());
      meter = "r1.trainer.reward.function.mean";
      tags = tags.and("function", fn);
    }
    String key = meter + tags;
    AtomicReference<Double> ref = gauges.get(key);
    if (ref == null) {
      AtomicReference<Double> created = new AtomicReference<>(value);
      ref = gauges.computeIfAbsent(key, k -> created);
      if (ref == created) {
        Gauge.builder(meter, created, AtomicReference::get).tags(tags).register(registry);
      }
    }
    ref.set(value);
  }

  /** reward_mean -> r1.trainer.reward.mean, clip_ratio_low -> r1.trainer.clip.ratio.low. */
  static String meterName(String name) {
    return "r1.trainer." + name.replace('_', '.');
  }
}
