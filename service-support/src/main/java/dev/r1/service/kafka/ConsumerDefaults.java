package dev.r1.service.kafka;

import java.util.Map;

/**
 * Consumer settings every worker fleet (samplers, reward workers, trainer, distill-service) shares,
 * applied where a service builds its consumer properties; a value set under {@code
 * spring.kafka.consumer.properties} wins.
 *
 * <ul>
 *   <li>{@code session.timeout.ms} 10 s (Kafka's default is 45 s): a killed instance's partitions
 *       move to the survivors (or to its restarted self) within about 10 s. Heartbeats come from
 *       the consumer's background thread, so a long generation batch does not count against it;
 *       that is {@code max.poll.interval.ms}.
 *   <li>{@code heartbeat.interval.ms} 3 s, a third of the session timeout.
 * </ul>
 */
public final class ConsumerDefaults {

  /** Session timeout of the services' consumers. */
  public static final int SESSION_TIMEOUT_MS = 10_000;

  /** Heartbeat interval of the services' consumers. */
  public static final int HEARTBEAT_INTERVAL_MS = 3_000;

  private ConsumerDefaults() {}

  /** Adds the defaults to {@code consumerProperties} where they are not set; returns it. */
  public static Map<String, Object> apply(Map<String, Object> consumerProperties) {
    consumerProperties.putIfAbsent("session.timeout.ms", SESSION_TIMEOUT_MS);
    consumerProperties.putIfAbsent("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS);
    return consumerProperties;
  }
}
