package dev.r1.training.grpo;

import ai.djl.ndarray.NDArray;

/** The detached diagnostics of {@link GrpoLoss}, computed on host copies in float64. */
final class Stats {

  private Stats() {}

  static GrpoLossResult of(
      NDArray loss,
      double[] logp,
      double[] old,
      double[] ref,
      double[] behaviour,
      double[] advantages,
      double[] mask,
      int time,
      GrpoConfig cfg) {
    double low = 1.0 - cfg.epsilonLow();
    double high = 1.0 + cfg.epsilonHigh();
    double cap = cfg.importanceRatioCap().orElse(Double.POSITIVE_INFINITY);
    long tokens = 0;
    long clippedLow = 0;
    long clippedHigh = 0;
    long truncated = 0;
    double klSum = 0;
    double ratioSum = 0;
    double weightSum = 0;
    double ratioMin = Double.POSITIVE_INFINITY;
    double ratioMax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i] == 0.0) {
        continue;
      }
      tokens++;
      double a = advantages[i / time];
      double ratio = Math.exp(logp[i] - old[i]);
      ratioSum += ratio;
      ratioMin = Math.min(ratioMin, ratio);
      ratioMax = Math.max(ratioMax, ratio);
      if (ratio < low && a < 0) {
        clippedLow++;
      }
      if (ratio > high && a > 0) {
        clippedHigh++;
      }
      if (ref != null) {
        double d = ref[i] - logp[i];
        klSum += Math.exp(d) - d - 1.0;
      }
      if (behaviour != null) {
        double w = Math.exp(old[i] - behaviour[i]);
        if (w > cap) {
          truncated++;
          w = cap;
        }
        weightSum += w;
      }
    }
    double n = Math.max(tokens, 1);
    double lossValue = HostCopy.of(loss)[0];
    return new GrpoLossResult(
        loss,
        lossValue,
        tokens,
        ref == null ? Double.NaN : klSum / n,
        clippedLow / n,
        clippedHigh / n,
        (clippedLow + clippedHigh) / n,
        tokens == 0 ? 1.0 : ratioSum / n,
        tokens == 0 ? 1.0 : ratioMin,
        tokens == 0 ? 1.0 : ratioMax,
        behaviour == null ? Double.NaN : weightSum / n,
        behaviour == null ? Double.NaN : truncated / n);
  }
}
