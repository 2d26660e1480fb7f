package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Per-token log-probabilities and entropies of given sequences under a model (teacher forcing), the
 * quantities GRPO and SFT train on.
 *
 * @param logprobs (B, T-1): log p(ids[b][t+1] | ids[b][..t]), 0 where either token is padding;
 *     differentiable when computed under a GradientCollector
 * @param entropy (B, T-1): entropy of the next-token distribution at t (0 at padding), or null
 */
public record TokenScores(NDArray logprobs, NDArray entropy) {

  /**
   * Scores left-padded sequences.
   *
   * @param temperature divides the logits first (1 for plain log-probs; the sampling temperature to
   *     score completions the way they were sampled)
   * @param withEntropy also compute the entropy (costs one more pass over the vocabulary)
   */
  public static TokenScores compute(
      CausalLm model,
      NDManager m,
      int[][] ids,
      int[][] attentionMask,
      double temperature,
      boolean withEntropy) {
    int b = ids.length;
    int t = ids[0].length;
    if (t < 2) {
      throw new IllegalArgumentException("sequences need at least 2 tokens to score, got " + t);
    }
    DataType type = model.dataType();
    NDArray logits = model.forward(m, ids, attentionMask); // (B, T, V)
    NDArray head = logits.get(new NDIndex(":, 0:" + (t - 1) + ", :")); // (B, T-1, V)
    if (temperature != 1.0) {
      NDArray inv = HostArrays.scalar(m, 1.0 / temperature, type);
      head = head.mul(inv);
    }
    NDArray lsm = head.logSoftmax(-1); // (B, T-1, V)
    long[] next = new long[b * (t - 1)];
    double[] pairMask = new double[b * (t - 1)];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t - 1; j++) {
        next[i * (t - 1) + j] = ids[i][j + 1];
        pairMask[i * (t - 1) + j] =
            attentionMask[i][j] != 0 && attentionMask[i][j + 1] != 0 ? 1 : 0;
      }
    }
    Shape bt = new Shape(b, t - 1);
    NDArray targets = HostArrays.longs(m, next, new Shape(b, t - 1, 1));
    NDArray mask = HostArrays.reals(m, pairMask, bt, type);
    NDArray logp = lsm.gather(targets, 2).reshape(bt).mul(mask);
    NDArray entropy = null;
    if (withEntropy) {
      entropy = lsm.exp().mul(lsm).sum(new int[] {-1}).neg().mul(mask);
    }
    return new TokenScores(logp, entropy);
  }
}
