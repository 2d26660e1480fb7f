package dev.r1.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with PyTorch's semantics (decoupled weight decay, bias-corrected moments), global
 * gradient-norm clipping, and a guard that skips the update when a gradient is NaN or infinite.
 *
 * <p>Weight decay applies to matrices only; biases and norm weights are not decayed, as in Hugging
 * Face's Trainer. Gradients accumulate over several backward passes until {@link #step} applies and
 * clears them, which is how gradient accumulation works here.
 */
public final class AdamW implements AutoCloseable {

  private final Map<String, NDArray> parameters;
  private final OptimizerConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private long stepCount;

  /** What one optimizer step did. */
  public record StepResult(long step, double learningRate, double gradNorm, boolean skipped) {}

  /**
   * @param parameters trainable parameters by name (their gradients must be enabled)
   * @param parent the manager the optimizer state hangs from (usually the model's parent)
   */
  public AdamW(Map<String, NDArray> parameters, OptimizerConfig config, NDManager parent) {
    this.parameters = parameters;
    this.config = config;
    this.manager = parent.newSubManager();
    DataType type = parameters.values().iterator().next().getDataType();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      firstMoments.put(e.getKey(), manager.zeros(e.getValue().getShape(), type));
      secondMoments.put(e.getKey(), manager.zeros(e.getValue().getShape(), type));
    }
  }

  /** Steps taken (skipped steps excluded). */
  public long stepCount() {
    return stepCount;
  }

  /** First and second moments by parameter name, for checkpoints. */
  public Map<String, NDArray> firstMoments() {
    return firstMoments;
  }

  public Map<String, NDArray> secondMoments() {
    return secondMoments;
  }

  /** Restores state saved from another instance (checkpoint resume). */
  public void restore(long steps, Map<String, double[]> first, Map<String, double[]> second) {
    for (String name : parameters.keySet()) {
      double[] m = first.get(name);
      double[] v = second.get(name);
      if (m == null || v == null) {
        throw new IllegalArgumentException(
            "optimizer state for parameter '" + name + "' is missing");
      }
      set(firstMoments.get(name), m);
      set(secondMoments.get(name), v);
    }
    this.stepCount = steps;
  }

  private static void set(NDArray target, double[] values) {
    if (values.length != target.size()) {
      throw new IllegalArgumentException(
          "optimizer state has " + values.length + " values, expected " + target.size());
    }
    if (target.getDataType() == DataType.FLOAT64) {
      target.set(values);
    } else {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      target.set(f);
    }
  }

  /**
   * Clips the accumulated gradients to the configured global norm, applies one AdamW update at the
   * given learning rate, and clears the gradients. When any gradient is NaN or infinite the
   * parameters and moments stay as they are and the result says {@code skipped}.
   */
  public StepResult step(double learningRate) {
    // PyTorch's grad mode is per thread and on by default in new threads (DJL turns it off only
    // on the thread that started the engine); in-place updates of leaves need it off.
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return update(learningRate);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  private StepResult update(double learningRate) {
    try (NDManager tmp = manager.newSubManager()) {
      // the global norm from one small array of per-parameter norms, read back once
      NDArray[] grads = new NDArray[parameters.size()];
      NDList norms = new NDList(grads.length);
      int i = 0;
      for (NDArray p : parameters.values()) {
        NDArray g = p.getGradient();
        g.attach(tmp);
        grads[i++] = g;
        norms.add(g.norm());
      }
      NDArray stacked = NDArrays.stack(norms);
      stacked.attach(tmp);
      double sumSquares = 0;
      for (double n : doublesOf(stacked)) {
        sumSquares += n * n;
      }
      double norm = Math.sqrt(sumSquares);
      if (!Double.isFinite(norm)) {
        zeroGradients();
        return new StepResult(stepCount, learningRate, norm, true);
      }
      DataType type = firstMoments.values().iterator().next().getDataType();
      double clip = 1.0;
      if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
        clip = config.maxGradNorm() / (norm + 1e-6);
      }
      stepCount++;
      double bc1 = 1 - Math.pow(config.beta1(), stepCount);
      double sqrtBc2 = Math.sqrt(1 - Math.pow(config.beta2(), stepCount));
      if (type == DataType.FLOAT64) {
        // fp64 (gradient checks, references): every constant at full precision, op by op
        i = 0;
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
          updateExact(tmp, e.getKey(), e.getValue(), grads[i++], learningRate, clip, bc1);
        }
        zeroGradients();
        return new StepResult(stepCount, learningRate, norm, false);
      }
      // One fused native update per parameter: p -= lr*wd*p, then with g = clip * grad,
      // m = b1*m + (1-b1)*g, v = b2*v + (1-b2)*g^2 and p -= a * m / (sqrt(v) + e). PyTorch's
      // p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps) is that with a = lr*sqrt(bc2)/bc1 and
      // e = eps*sqrt(bc2).
      float stepSize = (float) (learningRate * sqrtBc2 / bc1);
      float eps = (float) (config.epsilon() * sqrtBc2);
      i = 0;
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        boolean decay = config.weightDecay() > 0 && decays(e.getKey());
        JniUtils.adamUpdate(
            (PtNDArray) e.getValue(),
            (PtNDArray) grads[i++],
            (PtNDArray) firstMoments.get(e.getKey()),
            (PtNDArray) secondMoments.get(e.getKey()),
            (float) learningRate,
            stepSize,
            decay ? (float) config.weightDecay() : 0f,
            (float) clip,
            -1f,
            (float) config.beta1(),
            (float) config.beta2(),
            eps,
            true);
      }
      zeroGradients();
      return new StepResult(stepCount, learningRate, norm, false);
    }
  }

  private void updateExact(
      NDManager tmp, String name, NDArray p, NDArray g, double lr, double clip, double bc1) {
    double bc2 = 1 - Math.pow(config.beta2(), stepCount);
    if (clip != 1.0) {
      g.muli(own(tmp, tmp.create(clip)));
    }
    if (config.weightDecay() > 0 && decays(name)) {
      p.muli(own(tmp, tmp.create(1 - lr * config.weightDecay())));
    }
    NDArray m = firstMoments.get(name);
    NDArray v = secondMoments.get(name);
    NDArray b1 = own(tmp, tmp.create(config.beta1()));
    NDArray b2 = own(tmp, tmp.create(config.beta2()));
    m.muli(b1).addi(own(tmp, g.mul(own(tmp, tmp.create(1 - config.beta1())))));
    v.muli(b2).addi(own(tmp, own(tmp, g.mul(g)).muli(own(tmp, tmp.create(1 - config.beta2())))));
    NDArray denom =
        own(tmp, v.sqrt())
            .muli(own(tmp, tmp.create(1 / Math.sqrt(bc2))))
            .addi(own(tmp, tmp.create(config.epsilon())));
    p.addi(own(tmp, own(tmp, m.div(denom)).muli(own(tmp, tmp.create(-lr / bc1)))));
  }

  private static NDArray own(NDManager tmp, NDArray a) {
    a.attach(tmp);
    return a;
  }

  /** Clears accumulated gradients without updating. */
  public void zeroGradients() {
    for (NDArray p : parameters.values()) {
      JniUtils.zeroGrad((PtNDArray) p);
    }
  }

  /** Matrices decay; biases and norm weights do not. */
  static boolean decays(String name) {
    return !(name.endsWith(".bias") || name.endsWith("norm.weight"));
  }

  private static double[] doublesOf(NDArray a) {
    if (a.getDataType() == DataType.FLOAT64) {
      return a.toDoubleArray();
    }
    float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Override
  public void close() {
    manager.close();
  }
}
