package dev.r1.trainer.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.List;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;

/**
 * Binds the Kafka client metrics of a factory's consumers ({@code kafka.consumer.*}: fetch-manager
 * lag, records consumed, fetch latency...) to the registry with a {@code consumer.group} tag, so
 * dashboards show lag per consumer group. Each consumer is bound as the factory creates it.
 */
final class KafkaClientMeters {

  private KafkaClientMeters() {}

  static <K, V> DefaultKafkaConsumerFactory<K, V> bind(
      DefaultKafkaConsumerFactory<K, V> factory, MeterRegistry registry, String group) {
    factory.addListener(
        new MicrometerConsumerListener<>(registry, List.of(Tag.of("consumer.group", group))));
    return factory;
  }
}
