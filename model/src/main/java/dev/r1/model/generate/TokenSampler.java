package dev.r1.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks one token from a row of logits in Java: exact, seeded, and cheap at small vocabularies. */
final class TokenSampler {

  private final SamplingParams params;
  private double[] weights; // scratch; a sampler serves one generation loop on one thread

  TokenSampler(SamplingParams params) {
    this.params = params;
  }

  /** Result of one draw. */
  record Draw(int token, float logprob, float scaledLogprob) {
    /** A draw from an untruncated distribution, where both log-probs are the same. */
    static Draw of(int token, float logprob) {
      return new Draw(token, logprob, logprob);
    }
  }

  /** Whether draws keep only part of the vocabulary (top-k or top-p), which only Java does. */
  boolean truncates(int vocab) {
    return !params.isGreedy()
        && ((params.topK() > 0 && params.topK() < vocab) || params.topP() < 1);
  }

  Draw draw(float[] logits, int offset, int vocab, SplittableRandom random) {
    if (params.isGreedy()) {
      int best = offset;
      for (int i = offset + 1; i < offset + vocab; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      float lp = (float) (logits[best] - logSumExp(logits, offset, vocab, 1.0, null));
      return new Draw(best - offset, lp, lp);
    }
    double invT = 1.0 / params.temperature();
    if ((params.topK() > 0 && params.topK() < vocab) || params.topP() < 1) {
      return drawTruncated(logits, offset, vocab, invT, random);
    }
    // one pass for the max, one for the exponentials, one partial scan for the draw
    double max = Double.NEGATIVE_INFINITY;
    for (int i = offset; i < offset + vocab; i++) {
      max = Math.max(max, logits[i] * invT);
    }
    if (weights == null || weights.length < vocab) {
      weights = new double[vocab];
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      double w = Math.exp(logits[offset + i] * invT - max);
      weights[i] = w;
      sum += w;
    }
    double target = random.nextDouble() * sum;
    double cumulative = 0;
    int chosen = vocab - 1;
    for (int i = 0; i < vocab; i++) {
      cumulative += weights[i];
      if (target < cumulative) {
        chosen = i;
        break;
      }
    }
    float lp = (float) (logits[offset + chosen] * invT - max - Math.log(sum));
    return new Draw(chosen, lp, lp);
  }

  private Draw drawTruncated(
      float[] logits, int offset, int vocab, double invT, SplittableRandom random) {
    double lseAll = logSumExp(logits, offset, vocab, invT, null);
    boolean[] keep = truncation(logits, offset, vocab, invT, lseAll);
    double lseKept = logSumExp(logits, offset, vocab, invT, keep);
    double u = random.nextDouble();
    double cumulative = 0;
    int chosen = -1;
    int lastKept = -1;
    for (int i = 0; i < vocab; i++) {
      if (!keep[i]) {
        continue;
      }
      lastKept = i;
      cumulative += Math.exp(logits[offset + i] * invT - lseKept);
      if (u < cumulative) {
        chosen = i;
        break;
      }
    }
    if (chosen < 0) {
      chosen = lastKept; // rounding left u above the final cumulative sum
    }
    double scaled = logits[offset + chosen] * invT;
    return new Draw(chosen, (float) (scaled - lseKept), (float) (scaled - lseAll));
  }

  /** Tokens kept by top-k then top-p (Hugging Face's order), at least one. */
  private boolean[] truncation(float[] logits, int offset, int vocab, double invT, double lse) {
    Integer[] order = new Integer[vocab];
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(logits[offset + b], logits[offset + a]));
    int limit = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
    boolean[] keep = new boolean[vocab];
    if (params.topP() < 1) {
      // renormalise over the top-k survivors, then keep the smallest prefix reaching topP
      double lseK = Double.NEGATIVE_INFINITY;
      for (int r = 0; r < limit; r++) {
        lseK = logAdd(lseK, logits[offset + order[r]] * invT);
      }
      double cumulative = 0;
      for (int r = 0; r < limit; r++) {
        keep[order[r]] = true;
        cumulative += Math.exp(logits[offset + order[r]] * invT - lseK);
        if (cumulative >= params.topP()) {
          break;
        }
      }
    } else {
      for (int r = 0; r < limit; r++) {
        keep[order[r]] = true;
      }
    }
    return keep;
  }

  private static double logSumExp(
      float[] logits, int offset, int vocab, double scale, boolean[] keep) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      if (keep == null || keep[i]) {
        max = Math.max(max, logits[offset + i] * scale);
      }
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      if (keep == null || keep[i]) {
        sum += Math.exp(logits[offset + i] * scale - max);
      }
    }
    return max + Math.log(sum);
  }

  private static double logAdd(double a, double b) {
    double max = Math.max(a, b);
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }
}
