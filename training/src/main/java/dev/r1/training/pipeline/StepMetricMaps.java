package dev.r1.training.pipeline;

import dev.r1.training.grpo.GrpoStepMetrics;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.sft.SftStepMetrics;
import java.util.LinkedHashMap;
import java.util.Map;

/** Step metrics as named numbers (the names the trainer-service uses where they overlap). */
public final class StepMetricMaps {

  private StepMetricMaps() {}

  /** An SFT step: loss, learning_rate, grad_norm, tokens_per_second, epoch, eval_loss. */
  public static Map<String, Double> sft(SftStepMetrics m) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loss", m.loss());
    out.put("learning_rate", m.learningRate());
    putFinite(out, "grad_norm", m.gradNorm());
    putFinite(out, "tokens_per_second", m.tokensPerSecond());
    out.put("epoch", m.epoch());
    putFinite(out, "eval_loss", m.evalLoss());
    return out;
  }

  /**
   * A GRPO step of the in-process loop: reward_mean, rewards/&lt;name&gt;, completion_length_mean,
   * reflection_rate, kl, entropy, clip_ratio, grad_norm, learning_rate, policy_version.
   */
  public static Map<String, Double> grpo(LocalGrpoLoop.StepReport r) {
    GrpoStepMetrics m = r.metrics();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("reward_mean", m.rewardMean());
    putFinite(out, "reward_std", m.rewardStd());
    m.rewardComponentMeans().forEach((k, v) -> putFinite(out, "rewards/" + k, v));
    out.put("completion_length_mean", m.completionLengthMean());
    out.put("reflection_rate", r.reflectionRate());
    putFinite(out, "kl", m.kl());
    putFinite(out, "entropy", m.entropy());
    putFinite(out, "clip_ratio", m.clipRatioRegion());
    putFinite(out, "grad_norm", m.gradNorm());
    out.put("learning_rate", m.learningRate());
    out.put("policy_version", (double) m.policyVersion());
    return out;
  }

  private static void putFinite(Map<String, Double> m, String k, double v) {
    if (Double.isFinite(v)) {
      m.put(k, v);
    }
  }
}
