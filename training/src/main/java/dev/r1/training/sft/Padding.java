package dev.r1.training.sft;

/** Where padding goes in a batch of sequences of different lengths. */
public enum Padding {
  /** Pad before the sequence (the layout generation uses). */
  LEFT,
  /** Pad after the sequence. */
  RIGHT
}
