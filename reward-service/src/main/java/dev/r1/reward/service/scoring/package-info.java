/**
 * Scoring: a sampled group's reward spec, one time-bounded {@code RewardRunner} per spec, the
 * contract form of the scores ({@code ScoredGroup}, {@code RewardComponent}) and the reward meters.
 */
package dev.r1.reward.service.scoring;
