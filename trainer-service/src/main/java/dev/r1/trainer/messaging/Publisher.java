package dev.r1.trainer.messaging;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.VersionedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Sends contract records, keyed as the contract says, and waits for the broker's ack. */
@Component
public class Publisher implements DisposableBean {

  /**
   * How long the producer of {@link #sendAll} gathers records into one request: encoding and
   * compressing a step's prompts into a dozen partitions' batches can outlast the default 5 ms, and
   * a request that carries half of them lets a sampler generate the step in two batches.
   */
  static final int BATCH_LINGER_MS = 20;

  private final KafkaTemplate<String, byte[]> kafka;
  private final KafkaTemplate<String, byte[]> batches;

  Publisher(KafkaTemplate<String, byte[]> trainerKafkaTemplate) {
    this.kafka = trainerKafkaTemplate;
    this.batches =
        new KafkaTemplate<>(
            trainerKafkaTemplate.getProducerFactory(),
            Map.of(ProducerConfig.LINGER_MS_CONFIG, BATCH_LINGER_MS));
  }

  @Override
  public void destroy() {
    batches.destroy(); // its own producer (the overrides make one)
  }

  /** Publishes and blocks until acknowledged (so a step never runs ahead of its prompts). */
  public void send(String topic, VersionedMessage message) {
    await(topic, message, kafka.send(topic, Keys.of(message), Json.encode(message)));
  }

  /**
   * Publishes every message, then blocks until all are acknowledged: one round trip for the lot
   * (the producer batches them), where sending one by one waits a linger and an ack for each.
   */
  public void sendAll(String topic, List<? extends VersionedMessage> messages) {
    await(topic, sendAllAsync(topic, messages));
  }

  /**
   * Publishes every message like {@link #sendAll} without waiting: the future completes when the
   * broker has acknowledged them all, or fails with the first refusal. Pass it to {@link #await}.
   */
  public CompletableFuture<Void> sendAllAsync(
      String topic, List<? extends VersionedMessage> messages) {
    // encode first, then send: the records reach the producer within microseconds of each other
    // and leave in one request (a consumer's fetch does not see half of them)
    List<byte[]> encoded = new ArrayList<>(messages.size());
    for (VersionedMessage message : messages) {
      encoded.add(Json.encode(message));
    }
    CompletableFuture<?>[] acks = new CompletableFuture<?>[messages.size()];
    for (int i = 0; i < acks.length; i++) {
      VersionedMessage message = messages.get(i);
      acks[i] =
          batches
              .send(topic, Keys.of(message), encoded.get(i))
              .exceptionally(
                  e -> {
                    throw refused(topic, message, e);
                  });
    }
    return CompletableFuture.allOf(acks);
  }

  /** Waits (30 s at most) for a {@link #sendAllAsync} to be acknowledged. */
  public static void await(String topic, CompletableFuture<Void> acks) {
    try {
      acks.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("could not publish to " + topic, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "the broker did not acknowledge the records sent to " + topic + " within 30 s", e);
    }
  }

  private static void await(String topic, VersionedMessage message, CompletableFuture<?> ack) {
    try {
      ack.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + topic, e);
    } catch (Exception e) {
      throw refused(topic, message, e);
    }
  }

  private static IllegalStateException refused(
      String topic, VersionedMessage message, Throwable cause) {
    return new IllegalStateException(
        "could not publish "
            + message.getClass().getSimpleName()
            + " of job "
            + message.jobId()
            + " to "
            + topic
            + ": "
            + cause.getMessage(),
        cause);
  }
}
