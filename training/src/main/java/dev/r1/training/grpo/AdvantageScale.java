package dev.r1.training.grpo;

/** How mean-centred rewards are scaled into advantages. */
public enum AdvantageScale {
  /** Divide by the group's Bessel-corrected standard deviation (+1e-4): the GRPO paper. */
  GROUP,
  /** Divide by the whole batch's Bessel-corrected reward standard deviation (+1e-4). */
  BATCH,
  /** Only subtract the group mean (Dr. GRPO). */
  NONE
}
