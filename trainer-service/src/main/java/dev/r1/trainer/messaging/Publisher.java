package dev.r1.trainer.messaging;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.VersionedMessage;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Sends contract records, keyed as the contract says, and waits for the broker's ack. */
@Component
public class Publisher {

  private final KafkaTemplate<String, byte[]> kafka;

  Publisher(KafkaTemplate<String, byte[]> trainerKafkaTemplate) {
    this.kafka = trainerKafkaTemplate;
  }

  /** Publishes and blocks until acknowledged (so a step never runs ahead of its prompts). */
  public void send(String topic, VersionedMessage message) {
    try {
      kafka.send(topic, Keys.of(message), Json.encode(message)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic, e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not publish "
              + message.getClass().getSimpleName()
              + " of job "
              + message.jobId()
              + " to "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
