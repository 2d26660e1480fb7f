package dev.r1.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Greedy and plain temperature sampling of a whole batch inside the engine: only the chosen ids and
 * their log-probabilities come back to Java, not the (B, V) logits. Plain sampling inverts the CDF
 * with one uniform per row drawn in Java (the same draw, from the same row stream, as {@link
 * TokenSampler}), so seeded rows stay reproducible and independent of their batch.
 */
final class TensorSampler {

  private final SamplingParams params;

  TensorSampler(SamplingParams params) {
    this.params = params;
  }

  /** Whether this sampler serves {@code params} (top-k and top-p are drawn in Java). */
  static boolean serves(SamplingParams params, int vocab) {
    return params.isGreedy()
        || !((params.topK() > 0 && params.topK() < vocab) || params.topP() < 1);
  }

  /** Chosen ids (B) and their log-probabilities under the temperature-scaled distribution (B). */
  record Draws(long[] tokens, float[] logprobs) {}

  /**
   * @param logits (B, V)
   * @param uniforms one uniform in [0, 1) per row (ignored when greedy)
   */
  Draws draw(NDManager m, NDArray logits, double[] uniforms) {
    int b = (int) logits.getShape().get(0);
    int vocab = (int) logits.getShape().get(1);
    NDArray ids;
    NDArray lsm;
    if (params.isGreedy()) {
      lsm = logits.logSoftmax(-1);
      ids = logits.argMax(-1);
    } else {
      NDArray scaled = logits;
      if (params.temperature() != 1.0) {
        double inv = 1.0 / params.temperature();
        scaled =
            logits.mul(
                logits.getDataType() == DataType.FLOAT64 ? m.create(inv) : m.create((float) inv));
      }
      lsm = scaled.logSoftmax(-1);
      NDArray cdf = lsm.exp().cumSum(-1); // (B, V)
      NDArray u =
          logits.getDataType() == DataType.FLOAT64
              ? m.create(uniforms, new Shape(b, 1))
              : m.create(toFloat(uniforms), new Shape(b, 1));
      // the first token whose cumulative probability exceeds u: the count of those at or below u
      // (clipped: rounding can leave u above the final sum)
      ids = cdf.lte(u).sum(new int[] {-1}).clip(0, vocab - 1);
    }
    long[] tokens = ids.toLongArray();
    float[] lp = lsm.gather(ids.reshape(b, 1), 1).toType(DataType.FLOAT32, false).toFloatArray();
    return new Draws(tokens, lp);
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
