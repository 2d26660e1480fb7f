package dev.r1.gateway.jobs;

import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.gateway.GatewayProperties;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Writes the gateway's messages: accepted jobs, user requests on jobs, dead letters. */
@Component
class JobPublisher {

  private final KafkaTemplate<String, byte[]> kafka;
  private final boolean enabled;

  JobPublisher(KafkaTemplate<String, byte[]> kafka, GatewayProperties properties) {
    this.kafka = kafka;
    this.enabled = properties.publishJobs();
  }

  CompletableFuture<?> submitted(JobSubmitted job) {
    return send(Topics.JOBS, Keys.of(job), Json.encode(job));
  }

  CompletableFuture<?> event(JobEvent event) {
    return send(Topics.JOB_EVENTS, Keys.of(event), Json.encode(event));
  }

  CompletableFuture<?> deadLetter(String sourceTopic, DeadLetter letter) {
    return send(Topics.dlt(sourceTopic), Keys.of(letter), Json.encode(letter));
  }

  private CompletableFuture<?> send(String topic, String key, byte[] value) {
    if (!enabled) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return kafka.send(topic, key, value);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
