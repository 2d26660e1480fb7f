package dev.r1.training.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1.model.CausalLm;
import dev.r1.model.HostArrays;
import dev.r1.model.TokenScores;
import dev.r1.model.train.AdamW;
import dev.r1.model.train.NextTokenLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Supervised fine-tuning on prompt/response pairs: the loss is the mean negative log-likelihood of
 * the response tokens only (prompt and padding tokens are masked out), optimised with AdamW under a
 * learning-rate schedule, with gradient accumulation over micro-batches.
 *
 * <p>Uses one {@code GradientCollector} at a time (DJL allows one per JVM); not thread-safe.
 */
public final class SftTrainer implements AutoCloseable {

  private final CausalLm model;
  private final SftConfig config;
  private final NDManager manager;
  private final AdamW optimizer;

  /** Enables the model's gradients and creates the optimizer state under {@code parent}. */
  public SftTrainer(CausalLm model, SftConfig config, NDManager parent) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.manager = parent.newSubManager();
    model.enableGradients();
    this.optimizer = new AdamW(model.parameters(), config.optimizer(), manager);
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /**
   * Trains for {@link SftConfig#maxSteps()} optimizer steps, cycling through {@code train} in
   * seeded random order.
   *
   * @param eval held-out examples for the eval loss (may be empty)
   * @param progress called after every step (may be null)
   */
  public SftResult train(
      List<SftExample> train, List<SftExample> eval, Consumer<SftStepMetrics> progress) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("train must hold at least one example");
    }
    long t0 = System.nanoTime();
    double initialEval = eval.isEmpty() ? Double.NaN : evalLoss(eval);
    SplittableRandom random = new SplittableRandom(config.seed());
    int[] order = permutation(train.size(), random);
    int cursor = 0;
    long consumed = 0;
    List<SftStepMetrics> steps = new ArrayList<>();
    double lastEval = initialEval;
    for (int step = 0; step < config.maxSteps(); step++) {
      long s0 = System.nanoTime();
      double lossSum = 0;
      long tokens = 0;
      for (int micro = 0; micro < config.gradientAccumulation(); micro++) {
        List<SftExample> batch = new ArrayList<>(config.batchSize());
        for (int i = 0; i < config.batchSize(); i++) {
          if (cursor == order.length) {
            order = permutation(train.size(), random);
            cursor = 0;
          }
          batch.add(train.get(order[cursor++]));
        }
        consumed += batch.size();
        SftBatch b = SftBatch.of(batch, config.padding(), config.padId());
        tokens += b.tokens();
        lossSum += backward(b, 1.0 / config.gradientAccumulation());
      }
      double lr = config.schedule().at(step);
      AdamW.StepResult r = optimizer.step(lr);
      double seconds = (System.nanoTime() - s0) / 1e9;
      boolean evalNow =
          !eval.isEmpty()
              && ((config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0)
                  || step == config.maxSteps() - 1);
      double evalLoss = Double.NaN;
      if (evalNow) {
        evalLoss = evalLoss(eval);
        lastEval = evalLoss;
      }
      SftStepMetrics m =
          new SftStepMetrics(
              step + 1,
              lossSum / config.gradientAccumulation(),
              lr,
              r.gradNorm(),
              tokens / seconds,
              (double) consumed / train.size(),
              evalLoss);
      steps.add(m);
      if (progress != null) {
        progress.accept(m);
      }
    }
    return new SftResult(List.copyOf(steps), initialEval, lastEval, (System.nanoTime() - t0) / 1e9);
  }

  /** Forward + backward of one micro-batch, its loss scaled by {@code weight}; returns the loss. */
  private double backward(SftBatch b, double weight) {
    try (NDManager step = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = loss(model, step, b);
      NDArray scaled = loss.mul(scalar(step, weight));
      gc.backward(scaled);
      return loss.toType(DataType.FLOAT64, false).getDouble();
    }
  }

  private NDArray scalar(NDManager m, double v) {
    return HostArrays.scalar(m, v, model.dataType());
  }

  static NDArray loss(CausalLm model, NDManager m, SftBatch b) {
    TokenScores s = TokenScores.compute(model, m, b.ids(), b.attentionMask(), 1.0, false);
    return NextTokenLoss.compute(m, s.logprobs(), b.lossMask());
  }

  /**
   * The mean masked NLL per response token over {@code examples} (no gradients), computed in
   * batches of {@link SftConfig#batchSize()}.
   */
  public double evalLoss(List<SftExample> examples) {
    return maskedNll(
        model, manager, examples, config.batchSize(), config.padding(), config.padId());
  }

  /** The mean NLL per response token of {@code examples} under {@code model}, without gradients. */
  public static double maskedNll(
      CausalLm model,
      NDManager parent,
      List<SftExample> examples,
      int batchSize,
      Padding padding,
      int padId) {
    double sum = 0;
    long count = 0;
    for (int i = 0; i < examples.size(); i += batchSize) {
      SftBatch b =
          SftBatch.of(
              examples.subList(i, Math.min(examples.size(), i + batchSize)), padding, padId);
      try (NDManager m = parent.newSubManager()) {
        double l = loss(model, m, b).toType(DataType.FLOAT64, false).getDouble();
        sum += l * b.responseTokens();
        count += b.responseTokens();
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  private static int[] permutation(int n, SplittableRandom r) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Frees the optimizer state. */
  @Override
  public void close() {
    optimizer.close();
    manager.close();
  }
}
