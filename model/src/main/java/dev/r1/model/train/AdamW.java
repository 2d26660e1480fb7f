package dev.r1.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1.model.HostArrays;
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
  private final NDArray beta1;
  private final NDArray oneMinusBeta1;
  private final NDArray beta2;
  private final NDArray oneMinusBeta2;
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
    this.beta1 = scalar(config.beta1(), type);
    this.oneMinusBeta1 = scalar(1 - config.beta1(), type);
    this.beta2 = scalar(config.beta2(), type);
    this.oneMinusBeta2 = scalar(1 - config.beta2(), type);
  }

  private NDArray scalar(double v, DataType type) {
    return HostArrays.scalar(manager, v, type);
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
      Map<String, NDArray> grads = new LinkedHashMap<>();
      double sumSquares = 0;
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        NDArray g = e.getValue().getGradient();
        g.attach(tmp);
        grads.put(e.getKey(), g);
        NDArray sq = g.mul(g).sum();
        sq.attach(tmp);
        sumSquares += sq.toType(DataType.FLOAT64, false).getDouble();
      }
      double norm = Math.sqrt(sumSquares);
      if (!Double.isFinite(norm)) {
        zeroGradients();
        return new StepResult(stepCount, learningRate, norm, true);
      }
      DataType type = beta1.getDataType();
      double clip = 1.0;
      if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
        clip = config.maxGradNorm() / (norm + 1e-6);
      }
      stepCount++;
      double bc1 = 1 - Math.pow(config.beta1(), stepCount);
      double bc2 = 1 - Math.pow(config.beta2(), stepCount);
      NDArray gradScale = own(tmp, scalarIn(tmp, clip, type));
      NDArray decay = own(tmp, scalarIn(tmp, 1 - learningRate * config.weightDecay(), type));
      NDArray stepSize = own(tmp, scalarIn(tmp, -learningRate / bc1, type));
      NDArray invSqrtBc2 = own(tmp, scalarIn(tmp, 1 / Math.sqrt(bc2), type));
      NDArray eps = own(tmp, scalarIn(tmp, config.epsilon(), type));
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        String name = e.getKey();
        NDArray p = e.getValue();
        NDArray g = grads.get(name);
        if (clip != 1.0) {
          g.muli(gradScale);
        }
        if (config.weightDecay() > 0 && decays(name)) {
          p.muli(decay);
        }
        NDArray m = firstMoments.get(name);
        NDArray v = secondMoments.get(name);
        m.muli(beta1).addi(own(tmp, g.mul(oneMinusBeta1)));
        v.muli(beta2).addi(own(tmp, own(tmp, g.mul(g)).muli(oneMinusBeta2)));
        NDArray denom = own(tmp, v.sqrt()).muli(invSqrtBc2).addi(eps);
        p.addi(own(tmp, own(tmp, m.div(denom)).muli(stepSize)));
      }
      zeroGradients();
      return new StepResult(stepCount, learningRate, norm, false);
    }
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

  private static NDArray scalarIn(NDManager m, double v, DataType type) {
    return HostArrays.scalar(m, v, type);
  }

  private static NDArray own(NDManager tmp, NDArray a) {
    a.attach(tmp);
    return a;
  }

  @Override
  public void close() {
    manager.close();
  }
}
