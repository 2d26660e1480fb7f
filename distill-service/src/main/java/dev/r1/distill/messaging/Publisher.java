package dev.r1.distill.messaging;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.VersionedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/** Sends contract records, keyed as the contract says, and waits for the broker's ack. */
@Component
public class Publisher {

  private final KafkaTemplate<String, byte[]> kafka;

  Publisher(KafkaTemplate<String, byte[]> distillKafkaTemplate) {
    this.kafka = distillKafkaTemplate;
  }

  /** Publishes one record and blocks until acknowledged. */
  public void send(String topic, VersionedMessage message) {
    sendAll(topic, List.of(message));
  }

  /** Publishes records in order and blocks until every one is acknowledged. */
  public void sendAll(String topic, List<? extends VersionedMessage> messages) {
    List<CompletableFuture<SendResult<String, byte[]>>> sent = new ArrayList<>(messages.size());
    for (VersionedMessage m : messages) {
      sent.add(kafka.send(topic, Keys.of(m), Json.encode(m)));
    }
    for (int i = 0; i < sent.size(); i++) {
      try {
        sent.get(i).get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing to " + topic, e);
      } catch (Exception e) {
        VersionedMessage m = messages.get(i);
        throw new IllegalStateException(
            "could not publish "
                + m.getClass().getSimpleName()
                + " of job "
                + m.jobId()
                + " to "
                + topic
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }
}
