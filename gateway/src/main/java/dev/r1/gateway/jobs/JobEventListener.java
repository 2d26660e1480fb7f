package dev.r1.gateway.jobs;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads {@link Topics#JOB_EVENTS} (consumer group {@code r1-gateway}) into the registry. A payload
 * that does not decode goes to the dead-letter topic with the reason, and {@code r1.dead.letters}
 * counts it; the consumer goes on.
 */
@Component
class JobEventListener {

  static final String GROUP = "r1-gateway";
  private static final Logger log = LoggerFactory.getLogger(JobEventListener.class);

  private final JobService jobs;
  private final JobPublisher publisher;
  private final MeterRegistry meters;

  JobEventListener(JobService jobs, JobPublisher publisher, MeterRegistry meters) {
    this.jobs = jobs;
    this.publisher = publisher;
    this.meters = meters;
  }

  @KafkaListener(id = "r1-gateway-job-events", topics = Topics.JOB_EVENTS, groupId = GROUP)
  void onRecord(ConsumerRecord<String, byte[]> record) throws Exception {
    JobEvent event;
    try {
      event = Json.decode(record.topic(), record.value(), JobEvent.class);
    } catch (PoisonMessageException poison) {
      log.warn(
          "Dead-lettered the record at {}-{}@{} (key {}): {} ({}).",
          record.topic(),
          record.partition(),
          record.offset(),
          record.key(),
          poison.reason(),
          poison.field());
      publisher
          .deadLetter(
              record.topic(),
              DeadLetter.of(
                  poison, record.partition(), record.offset(), record.key(), GROUP, Instant.now()))
          .get();
      meters.counter("r1.dead.letters", "topic", record.topic(), "reason", "poison").increment();
      return;
    }
    if (event == null) {
      return;
    }
    jobs.apply(event);
  }
}
