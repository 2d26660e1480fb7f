/**
 * The reward-service: scores sampled groups with the job's rule rewards and publishes scored
 * groups.
 *
 * <ul>
 *   <li>{@code scoring}: {@link dev.r1.reward.service.scoring.GroupScorer} (sampled group to scored
 *       group), {@link dev.r1.reward.service.scoring.SpecResolver} (where a group's reward spec
 *       comes from: the task's {@code reward_spec} metadata, {@code r1.reward.job-specs}, {@code
 *       r1.reward.default-spec}), {@link dev.r1.reward.service.scoring.RunnerCache} (one bounded
 *       runner per spec), {@link dev.r1.reward.service.scoring.RewardMetrics}.
 *   <li>{@code messaging}: the sampled-group consumer (group {@code r1-reward}), the publisher and
 *       the dead-letter recoverer.
 *   <li>{@code api}: {@code POST /v1/rewards/score}, {@code GET /v1/rewards/functions}, RFC 9457
 *       problem responses, the request size limit.
 * </ul>
 *
 * Settings: {@link dev.r1.reward.service.RewardServiceProperties} ({@code r1.reward.*}).
 */
package dev.r1.reward.service;
