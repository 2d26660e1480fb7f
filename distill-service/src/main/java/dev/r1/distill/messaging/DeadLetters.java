package dev.r1.distill.messaging;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.Topics;
import dev.r1.distill.DistillProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Routes records the distill-service cannot use to their topic's dead-letter topic. */
@Component
class DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  private final KafkaTemplate<String, byte[]> kafka;
  private final MeterRegistry meters;
  private final String group;

  DeadLetters(
      KafkaTemplate<String, byte[]> distillKafkaTemplate,
      MeterRegistry meters,
      DistillProperties props) {
    this.kafka = distillKafkaTemplate;
    this.meters = meters;
    this.group = props.consumerGroup();
  }

  void route(ConsumerRecord<String, byte[]> record, String reason, Exception cause) {
    String dlt = Topics.dlt(record.topic());
    DeadLetter letter =
        cause instanceof PoisonMessageException poison
            ? DeadLetter.of(
                poison, record.partition(), record.offset(), record.key(), group, Instant.now())
            : DeadLetter.ofFailure(
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                record.value(),
                cause,
                group,
                Instant.now());
    try {
      kafka.send(dlt, record.key(), Json.encode(letter)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not dead-letter a record of " + record.topic(), e);
    }
    meters.counter("r1.dead.letters", "topic", record.topic(), "reason", reason).increment();
    log.warn(
        "Sent the record at {}-{} offset {} to {}: {}.",
        record.topic(),
        record.partition(),
        record.offset(),
        dlt,
        cause.getMessage());
  }
}
