package dev.r1.reward.service.messaging;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.MessageSerializer;
import dev.r1.contracts.Topics;
import dev.r1.contracts.VersionedMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes records to Kafka synchronously (the caller learns of a failure and can retry): scored
 * groups with the contract's group-topic limits, dead letters with the larger dead-letter limits.
 */
@Component
class Publisher implements DisposableBean {

  private static final long SEND_TIMEOUT_SECONDS = 30;

  private final DefaultKafkaProducerFactory<String, VersionedMessage> factory;
  private final KafkaTemplate<String, VersionedMessage> groups;
  private final KafkaTemplate<String, VersionedMessage> deadLetters;

  Publisher(KafkaProperties kafka) {
    Map<String, Object> c = new HashMap<>(kafka.buildProducerProperties());
    c.putAll(Topics.producerConfigs(Topics.SCORED_GROUPS));
    // a poll's groups are appended, then flushed together (SampledGroupListener) and awaited: one
    // produce request per poll instead of one wake-up of the broker and the trainer per group; the
    // linger only bounds a send that nobody flushes
    c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 50);
    c.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, MessageSerializer.class);
    this.factory = new DefaultKafkaProducerFactory<>(c);
    this.groups = new KafkaTemplate<>(factory);
    this.deadLetters =
        new KafkaTemplate<>(factory, Topics.producerConfigs(Topics.SAMPLED_GROUPS_DLT));
  }

  /** How a failed scored-group send names its topic. */
  static final String SCORED_GROUPS = "the scored-group topic";

  /** Sends a group-topic record and waits for the broker's acknowledgement. */
  void send(String topic, String key, VersionedMessage value) {
    CompletableFuture<?> ack = groups.send(topic, key, value);
    groups.flush();
    await(ack, topic);
  }

  /**
   * Sends a group-topic record; {@link #await} its acknowledgement before committing its source.
   */
  CompletableFuture<?> sendAsync(String topic, String key, VersionedMessage value) {
    return groups.send(topic, key, value);
  }

  /** Sends the group-topic records appended so far without waiting for the linger. */
  void flush() {
    groups.flush();
  }

  /** Sends a dead letter (keyed like the original record) and waits for the acknowledgement. */
  void sendDeadLetter(String topic, DeadLetter deadLetter) {
    CompletableFuture<?> ack = deadLetters.send(topic, deadLetter.key(), deadLetter);
    deadLetters.flush();
    await(ack, topic);
  }

  /**
   * Waits for a send's acknowledgement; a record too large for the topic surfaces as {@link
   * RecordTooLargeException} (not retryable: the record goes to the dead-letter topic).
   */
  static void await(CompletableFuture<?> ack, String topic) {
    try {
      ack.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while sending to " + topic, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      for (Throwable t = c; t != null; t = t.getCause()) {
        if (t instanceof RecordTooLargeException tooLarge) {
          throw tooLarge;
        }
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new KafkaException("sending to " + topic + " failed: " + c, c);
    } catch (TimeoutException e) {
      throw new KafkaException(
          "sending to " + topic + " was not acknowledged within " + SEND_TIMEOUT_SECONDS + " s", e);
    }
  }

  @Override
  public void destroy() {
    deadLetters.destroy();
    factory.destroy();
  }
}
