package dev.r1.sampler.generation;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.Topics;
import dev.r1.contracts.VersionedMessage;
import dev.r1.sampler.DeadLetters;
import dev.r1.sampler.SamplerProperties;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Handles one poll of the prompts topic: decodes the tasks (poison goes to the DLT), samples their
 * groups, publishes them keyed like the prompt and waits for the broker before the offsets are
 * committed (at-least-once).
 */
@Component
public class PromptListener {

  private static final Logger log = LoggerFactory.getLogger(PromptListener.class);

  private final GroupSampler sampler;
  private final KafkaTemplate<String, VersionedMessage> kafka;
  private final DeadLetters deadLetters;
  private final SamplerMetrics metrics;
  private final SamplerProperties properties;

  PromptListener(
      GroupSampler sampler,
      KafkaTemplate<String, VersionedMessage> samplerKafkaTemplate,
      DeadLetters deadLetters,
      SamplerMetrics metrics,
      SamplerProperties properties) {
    this.sampler = sampler;
    this.kafka = samplerKafkaTemplate;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.properties = properties;
  }

  /** Samples and publishes every task of the batch. */
  public void onBatch(List<ConsumerRecord<String, byte[]>> records) {
    List<PromptTask> tasks = new ArrayList<>();
    Map<PromptTask, ConsumerRecord<String, byte[]>> source = new IdentityHashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        PromptTask t = Json.decode(r.topic(), r.value(), PromptTask.class);
        tasks.add(t);
        source.put(t, r);
      } catch (PoisonMessageException e) {
        deadLetters.poison(r, e, properties.consumerGroup());
      }
    }
    if (tasks.isEmpty()) {
      return;
    }
    metrics.batch(tasks.size(), properties.maxBatchPrompts());
    List<CompletableFuture<SendResult<String, VersionedMessage>>> sends = new ArrayList<>();
    for (GroupSampler.Result result : sampler.sample(tasks)) {
      if (result.group() != null) {
        SampledGroup g = result.group();
        sends.add(kafka.send(Topics.SAMPLED_GROUPS, Keys.of(g), g));
        log.debug(
            "Sampled group {} of job {} (prompt {}, step {}) with policy version {}.",
            g.groupId(),
            g.jobId(),
            g.promptId(),
            result.task().step(),
            g.policyVersion());
      } else {
        log.warn(
            "Could not sample group {} of job {}: {}",
            result.task().resolvedGroupId(),
            result.task().jobId(),
            result.failure().toString());
        deadLetters.failure(
            source.get(result.task()), result.failure(), properties.consumerGroup());
      }
    }
    kafka.flush(); // the groups leave together, in as few requests as partitions allow
    for (CompletableFuture<SendResult<String, VersionedMessage>> f : sends) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing sampled groups", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("the broker did not acknowledge a sampled group", e);
      }
    }
  }
}
