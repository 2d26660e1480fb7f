package dev.r1.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1.model.HostArrays;

/** Masked mean negative log-likelihood: the SFT objective over chosen target tokens. */
public final class NextTokenLoss {

  private NextTokenLoss() {}

  /**
   * @param logprobs (B, T-1) per-token log-probs (see {@code TokenScores})
   * @param lossMask (B*(T-1)) 1 where a token is trained on (e.g. response tokens only)
   * @return the scalar loss -sum(logp * mask) / sum(mask), differentiable
   */
  public static NDArray compute(NDManager m, NDArray logprobs, double[] lossMask) {
    Shape shape = logprobs.getShape();
    if (lossMask.length != shape.size()) {
      throw new IllegalArgumentException(
          "lossMask has " + lossMask.length + " entries, logprobs " + shape);
    }
    double count = 0;
    for (double v : lossMask) {
      count += v;
    }
    if (count == 0) {
      throw new IllegalArgumentException("lossMask selects no tokens");
    }
    boolean f64 = logprobs.getDataType() == DataType.FLOAT64;
    double[] scaled = new double[lossMask.length];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = -lossMask[i] / count;
    }
    NDArray weights = HostArrays.reals(m, scaled, shape, f64 ? DataType.FLOAT64 : DataType.FLOAT32);
    return logprobs.mul(weights).sum();
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
