package dev.r1.trainer.messaging;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Routes records the trainer cannot use to their topic's dead-letter topic, with the reason. */
@Component
class DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  private final KafkaTemplate<String, byte[]> kafka;
  private final MeterRegistry meters;
  private final String group;

  DeadLetters(
      KafkaTemplate<String, byte[]> trainerKafkaTemplate,
      MeterRegistry meters,
      dev.r1.trainer.TrainerProperties props) {
    this.kafka = trainerKafkaTemplate;
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
