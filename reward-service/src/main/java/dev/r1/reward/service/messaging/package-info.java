/**
 * Kafka: consumes {@code r1.sampled-groups.v1} as raw bytes (consumer group {@code r1-reward}),
 * decodes and scores each group, publishes the {@code ScoredGroup} to {@code r1.scored-groups.v1}
 * under the group's key, and dead-letters what cannot be processed to {@code
 * r1.sampled-groups.v1.dlt} as a {@code DeadLetter} (poison and bad specs at once; failed publishes
 * after retries with exponential back-off).
 */
package dev.r1.reward.service.messaging;
