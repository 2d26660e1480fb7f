package dev.r1.distill.messaging;

import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.distill.job.JobManager;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/** Starts the sft, distill, eval and pipeline jobs; grpo belongs to the trainer-service. */
@Component
class JobListener implements MessageListener<String, byte[]> {

  static final Set<String> METHODS = Set.of("sft", "distill", "eval", "pipeline");

  private final JobManager jobs;
  private final DeadLetters deadLetters;

  JobListener(JobManager jobs, DeadLetters deadLetters) {
    this.jobs = jobs;
    this.deadLetters = deadLetters;
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    JobSubmitted job;
    try {
      job = Json.decode(record.topic(), record.value(), JobSubmitted.class);
    } catch (PoisonMessageException | ContractViolationException e) {
      deadLetters.route(record, "poison", e);
      return;
    }
    if (job != null && METHODS.contains(job.method())) {
      jobs.submit(job);
    }
  }
}
