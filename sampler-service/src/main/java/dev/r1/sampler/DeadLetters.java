package dev.r1.sampler;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.Topics;
import dev.r1.contracts.VersionedMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends records this service gives up on to the source topic's dead-letter topic and counts them
 * ({@code r1.dead.letters}, tags topic and reason).
 */
@Component
public class DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final KafkaTemplate<String, VersionedMessage> kafka;
  private final MeterRegistry meters;

  DeadLetters(KafkaTemplate<String, VersionedMessage> samplerKafkaTemplate, MeterRegistry meters) {
    this.kafka = samplerKafkaTemplate;
    this.meters = meters;
  }

  /** Dead-letters a payload that could not be decoded. */
  public void poison(
      ConsumerRecord<String, byte[]> record, PoisonMessageException e, String consumerGroup) {
    PoisonMessageException withPayload =
        e.payload() != null
            ? e
            : new PoisonMessageException(
                record.topic(),
                e.messageType(),
                e.field(),
                e.reason(),
                e.jobId(),
                record.value(),
                e);
    send(
        record,
        DeadLetter.of(
            withPayload,
            record.partition(),
            record.offset(),
            record.key(),
            consumerGroup,
            Instant.now()),
        "poison");
  }

  /** Dead-letters a record that decoded but could not be processed. */
  public void failure(ConsumerRecord<String, byte[]> record, Throwable e, String consumerGroup) {
    send(
        record,
        DeadLetter.ofFailure(
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            record.value(),
            e,
            consumerGroup,
            Instant.now()),
        "failure");
  }

  private void send(ConsumerRecord<String, byte[]> record, DeadLetter letter, String reason) {
    String dlt = Topics.dlt(record.topic());
    try {
      var ack = kafka.send(dlt, record.key(), letter);
      kafka.flush(); // the producer lingers for batches that the sampler flushes itself
      ack.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering to " + dlt, e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot dead-letter " + record.topic() + "-" + record.partition() + "@" + record.offset(),
          e);
    }
    Counter.builder("r1.dead.letters")
        .description("records sent to a dead-letter topic")
        .tag("topic", record.topic())
        .tag("reason", reason)
        .register(meters)
        .increment();
    log.warn(
        "Dead-lettered {}-{}@{} (key {}, job {}) to {}: {}{}",
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        letter.jobId(),
        dlt,
        letter.field() == null ? "" : "field " + letter.field() + ": ",
        letter.reason());
  }
}
