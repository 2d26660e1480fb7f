package dev.r1.training.grpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1.model.CausalLm;
import dev.r1.model.HostArrays;
import dev.r1.model.TokenScores;
import dev.r1.model.train.AdamW;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One GRPO update from scored groups of completions.
 *
 * <p>An update computes group advantages ({@link Advantages}), optionally drops groups whose
 * rewards are all equal (dynamic sampling) and masks completions that hit the length limit
 * (overlong filtering), lays the rest out as (B, T) prompt + completion rows, and runs {@link
 * GrpoTrainerConfig#iterations()} optimizer steps over them, each accumulating gradients over
 * micro-batches. Log-probs are taken at the sampling temperature.
 *
 * <p>The "old" log-probs of the ratio follow TRL: with one iteration on fresh samples the ratio is
 * {@code exp(logp - logp.detach())} (value 1, gradient of the plain policy gradient); with several
 * iterations they are the policy's log-probs at the start of the update. Samples drawn by an older
 * policy version are stale: when {@link GrpoConfig#importanceRatioCap()} is set, the sampler's
 * behaviour log-probs give a truncated importance weight {@code min(exp(old - behaviour), cap)}
 * (decoupled PPO); without a cap, the behaviour log-probs themselves are the old log-probs of stale
 * rows, so the PPO clip bounds how far off-policy data moves the policy.
 *
 * <p>The reference model's log-probs are computed only when {@code beta > 0}. Not thread-safe; uses
 * one {@code GradientCollector} at a time.
 */
public final class GrpoTrainer implements AutoCloseable {

  private final CausalLm policy;
  private final CausalLm reference;
  private final GrpoTrainerConfig config;
  private final NDManager manager;
  private final AdamW optimizer;
  private long policyVersion;
  private long nonFiniteSkips;
  private String nonFiniteReason;

  /**
   * @param policy the model being trained (its gradients are enabled here)
   * @param reference a frozen copy of the initial policy; required when beta > 0, else may be null
   * @param parent the manager the optimizer state hangs from
   */
  public GrpoTrainer(
      CausalLm policy, CausalLm reference, GrpoTrainerConfig config, NDManager parent) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.config = Objects.requireNonNull(config, "config");
    if (config.loss().beta() > 0 && reference == null) {
      throw new IllegalArgumentException(
          "reference model must be given when GrpoConfig.beta > 0 (got beta "
              + config.loss().beta()
              + ")");
    }
    this.reference = reference;
    this.manager = parent.newSubManager();
    policy.enableGradients();
    this.optimizer = new AdamW(policy.parameters(), config.optimizer(), manager);
  }

  /** The number of updates that changed the policy so far. */
  /** Why the last update skipped over a NaN or infinite value, or null if none did. */
  public String lastNonFiniteReason() {
    return nonFiniteReason;
  }

  /** Updates skipped because every optimizer step met a NaN or infinite loss or gradient. */
  public long nonFiniteSkips() {
    return nonFiniteSkips;
  }

  public long policyVersion() {
    return policyVersion;
  }

  /** Sets the version (e.g. after restoring a checkpoint). */
  public void setPolicyVersion(long version) {
    this.policyVersion = version;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public GrpoTrainerConfig config() {
    return config;
  }

  /** Runs one GRPO update over the groups and returns its metrics. */
  public GrpoStepMetrics update(List<PromptGroup> groups) {
    nonFiniteReason = null;
    long t0 = System.nanoTime();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups must not be empty");
    }
    List<int[]> prompts = new ArrayList<>();
    List<SampledCompletion> all = new ArrayList<>();
    List<Integer> groupOf = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      for (SampledCompletion c : groups.get(g).completions()) {
        prompts.add(groups.get(g).promptIds());
        all.add(c);
        groupOf.add(g);
      }
    }
    int n = all.size();
    double[] rewards = new double[n];
    int[] groupIndex = new int[n];
    for (int i = 0; i < n; i++) {
      rewards[i] = all.get(i).reward();
      groupIndex[i] = groupOf.get(i);
    }
    double[] adv = Advantages.compute(rewards, groupIndex, config.loss().advantageScale());
    boolean[] keep;
    if (config.dynamicSampling()) {
      keep = Advantages.informativeCompletions(rewards, groupIndex);
    } else {
      keep = new boolean[n];
      java.util.Arrays.fill(keep, true);
    }
    Summary s = Summary.of(groups, all, rewards, groupIndex, adv, keep, policyVersion);

    List<GrpoBatch.Row> rows = new ArrayList<>();
    long trainedTokens = 0;
    for (int i = 0; i < n; i++) {
      if (!keep[i]) {
        continue;
      }
      SampledCompletion c = all.get(i);
      boolean trained = !(config.maskTruncated() && c.truncated());
      rows.add(new GrpoBatch.Row(prompts.get(i), c, adv[i], trained));
      if (trained) {
        trainedTokens += c.tokens().length;
      }
    }
    if (rows.isEmpty() || trainedTokens == 0) {
      return s.metrics(policyVersion, optimizer.stepCount(), true, Double.NaN, null, t0);
    }
    List<GrpoBatch> batches = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += config.microBatchSize()) {
      batches.add(
          new GrpoBatch(
              rows.subList(i, Math.min(rows.size(), i + config.microBatchSize())), config.padId()));
    }
    GrpoConfig loss = config.loss();
    boolean capped = loss.importanceRatioCap().isPresent();
    boolean anyStale = false;
    for (GrpoBatch.Row r : rows) {
      anyStale |= r.completion().policyVersion() < policyVersion;
    }
    boolean explicitOld = config.iterations() > 1 || (anyStale && !capped);
    List<float[]> old = new ArrayList<>();
    List<float[]> ref = new ArrayList<>();
    long realTokens = 0;
    for (GrpoBatch b : batches) {
      realTokens += b.realTokens;
      if (explicitOld) {
        float[] o = scoreWithoutGradient(policy, b);
        if (!capped) {
          for (int i = 0; i < b.size(); i++) {
            if (b.rows.get(i).completion().policyVersion() < policyVersion) {
              System.arraycopy(
                  b.behaviour,
                  i * b.completionLength,
                  o,
                  i * b.completionLength,
                  b.completionLength);
            }
          }
        }
        old.add(o);
      }
      if (loss.beta() > 0) {
        ref.add(scoreWithoutGradient(reference, b));
      }
    }

    long totalSeqs = rows.size();
    LossStats stats = new LossStats();
    double firstLoss = Double.NaN;
    AdamW.StepResult last = null;
    double lr = Double.NaN;
    int stepsTaken = 0;
    for (int iter = 0; iter < config.iterations(); iter++) {
      double iterLoss = 0;
      try {
        for (int k = 0; k < batches.size(); k++) {
          GrpoBatch b = batches.get(k);
          if (b.trainedTokens == 0) {
            continue;
          }
          double weight =
              loss.lossAggregation() == LossAggregation.TOKEN_MEAN
                  ? (double) b.trainedTokens / trainedTokens
                  : (double) b.size() / totalSeqs;
          iterLoss +=
              weight
                  * backward(
                      b,
                      explicitOld ? old.get(k) : null,
                      loss.beta() > 0 ? ref.get(k) : null,
                      capped,
                      weight,
                      iter == 0,
                      stats);
        }
      } catch (NonFiniteValueException e) {
        // a diverged forward pass (NaN/Inf log-probs): drop what accumulated, take no step
        optimizer.zeroGradients();
        nonFiniteReason = e.getMessage();
        break;
      }
      lr = config.schedule().at(optimizer.stepCount());
      last = optimizer.step(lr);
      if (!last.skipped()) {
        stepsTaken++;
      } else {
        nonFiniteReason = "gradient norm is not finite (" + last.gradNorm() + ")";
      }
      if (iter == 0) {
        firstLoss = iterLoss;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (stepsTaken == 0) {
      // the optimizer refused every step (NaN or infinite gradient): the weights did not move,
      // so there is no new policy version
      nonFiniteSkips++;
      return s.withLoss(
              stats,
              last == null ? Double.NaN : last.gradNorm(),
              lr,
              realTokens * config.iterations() / seconds)
          .metrics(policyVersion, optimizer.stepCount(), true, firstLoss, stats, t0);
    }
    policyVersion++;
    return s.withLoss(stats, last.gradNorm(), lr, realTokens * config.iterations() / seconds)
        .metrics(policyVersion, optimizer.stepCount(), false, firstLoss, stats, t0);
  }

  /** Forward + backward of one micro-batch; returns its unweighted loss. */
  private double backward(
      GrpoBatch b,
      float[] old,
      float[] ref,
      boolean capped,
      double weight,
      boolean withEntropy,
      LossStats stats) {
    Shape bc = new Shape(b.size(), b.completionLength);
    try (NDManager m = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      TokenScores scores =
          TokenScores.compute(policy, m, b.ids, b.attentionMask, config.temperature(), withEntropy);
      NDIndex cols = new NDIndex(b.completionColumns());
      NDArray logp = scores.logprobs().get(cols);
      NDArray mask = HostArrays.floats(m, b.completionMask, bc);
      NDArray advantages = HostArrays.floats(m, b.advantages, new Shape(b.size()));
      NDArray oldArr = old == null ? null : HostArrays.floats(m, old, bc);
      NDArray refArr = ref == null ? null : HostArrays.floats(m, ref, bc);
      NDArray behaviour = capped ? HostArrays.floats(m, b.behaviour, bc) : null;
      if (policy.dataType() == DataType.FLOAT64) {
        mask = mask.toType(DataType.FLOAT64, false);
      }
      GrpoLossResult r =
          GrpoLoss.compute(logp, oldArr, refArr, advantages, mask, behaviour, config.loss());
      NDArray w = HostArrays.scalar(m, weight, policy.dataType());
      gc.backward(r.loss().mul(w));
      stats.add(r);
      if (withEntropy) {
        double[] e = HostCopy.of(scores.entropy().get(cols));
        for (int i = 0; i < e.length; i++) {
          if (b.completionMask[i] != 0) {
            stats.entropySum += e[i];
            stats.entropyCount++;
          }
        }
      }
      return r.lossValue();
    }
  }

  /** Completion log-probs (B*C) of a batch under a model, without gradients. */
  private float[] scoreWithoutGradient(CausalLm model, GrpoBatch b) {
    try (NDManager m = manager.newSubManager()) {
      TokenScores scores =
          TokenScores.compute(model, m, b.ids, b.attentionMask, config.temperature(), false);
      NDArray logp = scores.logprobs().stopGradient().get(new NDIndex(b.completionColumns()));
      return logp.toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  /** Frees the optimizer state. */
  @Override
  public void close() {
    optimizer.close();
    manager.close();
  }

  /** Token-weighted loss diagnostics over all iterations. */
  static final class LossStats {
    double tokens;
    double kl;
    double clipLow;
    double clipHigh;
    double entropySum;
    long entropyCount;

    void add(GrpoLossResult r) {
      double t = r.tokenCount();
      tokens += t;
      kl += Double.isNaN(r.klMean()) ? Double.NaN : r.klMean() * t;
      clipLow += r.clipFractionLow() * t;
      clipHigh += r.clipFractionHigh() * t;
    }
  }

  /** The batch-side statistics of an update (everything but the loss-side values). */
  record Summary(
      double rewardMean,
      double rewardStd,
      Map<String, Double> componentMeans,
      double fracZeroStd,
      int groupsTrained,
      double[] advantage, // mean, std, min, max
      double lengthMean,
      int lengthMax,
      double clippedRatio,
      double lagMean,
      long lagMax,
      double gradNorm,
      double lr,
      double tokensPerSecond) {

    static Summary of(
        List<PromptGroup> groups,
        List<SampledCompletion> all,
        double[] rewards,
        int[] groupIndex,
        double[] adv,
        boolean[] keep,
        long version) {
      int n = all.size();
      double mean = mean(rewards);
      List<double[]> perGroup = new ArrayList<>();
      int at = 0;
      int trained = 0;
      for (PromptGroup g : groups) {
        double[] r = new double[g.completions().size()];
        System.arraycopy(rewards, at, r, 0, r.length);
        if (keep[at]) {
          trained++;
        }
        at += r.length;
        perGroup.add(r);
      }
      double stdSum = 0;
      for (double[] r : perGroup) {
        stdSum += r.length < 2 ? 0 : Math.sqrt(variance(r) * r.length / (r.length - 1));
      }
      Map<String, Double> comps = new LinkedHashMap<>();
      for (SampledCompletion c : all) {
        c.rewardComponents().forEach((k, v) -> comps.merge(k, v / n, Double::sum));
      }
      double advMin = Double.POSITIVE_INFINITY;
      double advMax = Double.NEGATIVE_INFINITY;
      for (double a : adv) {
        advMin = Math.min(advMin, a);
        advMax = Math.max(advMax, a);
      }
      double lenSum = 0;
      int lenMax = 0;
      int clipped = 0;
      double lagSum = 0;
      long lagMax = 0;
      for (SampledCompletion c : all) {
        lenSum += c.tokens().length;
        lenMax = Math.max(lenMax, c.tokens().length);
        clipped += c.truncated() ? 1 : 0;
        long lag = version - c.policyVersion();
        lagSum += lag;
        lagMax = Math.max(lagMax, lag);
      }
      return new Summary(
          mean,
          stdSum / perGroup.size(),
          comps,
          Advantages.fracRewardZeroStd(perGroup),
          trained,
          new double[] {mean(adv), Math.sqrt(variance(adv)), advMin, advMax},
          lenSum / n,
          lenMax,
          (double) clipped / n,
          lagSum / n,
          lagMax,
          Double.NaN,
          Double.NaN,
          0);
    }

    Summary withLoss(LossStats stats, double grad, double rate, double tps) {
      return new Summary(
          rewardMean,
          rewardStd,
          componentMeans,
          fracZeroStd,
          groupsTrained,
          advantage,
          lengthMean,
          lengthMax,
          clippedRatio,
          lagMean,
          lagMax,
          grad,
          rate,
          tps);
    }

    GrpoStepMetrics metrics(
        long version, long steps, boolean skipped, double loss, LossStats st, long t0) {
      double tok = st == null ? 0 : Math.max(st.tokens, 1);
      double nan = Double.NaN;
      return new GrpoStepMetrics(
          version,
          steps,
          skipped,
          loss,
          rewardMean,
          rewardStd,
          java.util.Collections.unmodifiableMap(new LinkedHashMap<>(componentMeans)),
          fracZeroStd,
          skipped ? 0 : groupsTrained,
          advantage[0],
          advantage[1],
          advantage[2],
          advantage[3],
          st == null ? nan : st.kl / tok,
          st == null ? nan : st.clipLow / tok,
          st == null ? nan : st.clipHigh / tok,
          st == null ? nan : (st.clipLow + st.clipHigh) / tok,
          st == null || st.entropyCount == 0 ? nan : st.entropySum / st.entropyCount,
          lengthMean,
          lengthMax,
          clippedRatio,
          gradNorm,
          lr,
          tokensPerSecond,
          lagMean,
          lagMax,
          (System.nanoTime() - t0) / 1e9);
    }

    private static double mean(double[] v) {
      double s = 0;
      for (double x : v) {
        s += x;
      }
      return v.length == 0 ? 0 : s / v.length;
    }

    private static double variance(double[] v) {
      double m = mean(v);
      double s = 0;
      for (double x : v) {
        s += (x - m) * (x - m);
      }
      return v.length == 0 ? 0 : s / v.length;
    }
  }
}
