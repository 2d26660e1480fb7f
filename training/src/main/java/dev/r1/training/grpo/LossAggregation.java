package dev.r1.training.grpo;

/** How masked per-token losses are reduced to the scalar loss. */
public enum LossAggregation {
  /** {@code mean_i(sum_t l*m / sum_t m)}: the GRPO paper, TRL {@code loss_type=grpo}. */
  SEQUENCE_MEAN,
  /** {@code sum(l*m) / sum(m)}: DAPO, TRL {@code loss_type=dapo/bnpo} on one batch. */
  TOKEN_MEAN,
  /**
   * {@code sum(l*m) / (numSequences * maxCompletionLength)}: Dr. GRPO; needs {@link
   * GrpoConfig#maxCompletionLength()}.
   */
  CONSTANT_NORMALIZER
}
