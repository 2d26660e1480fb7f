/**
 * The accuracy reward: bounded answer extraction ({@link dev.r1.reward.math.AnswerExtractor}), math
 * equivalence ({@link dev.r1.reward.math.MathEquivalence}) on a hand-written LaTeX parser with
 * numeric checks at random points, and {@link dev.r1.reward.math.AccuracyReward}.
 */
package dev.r1.reward.math;
