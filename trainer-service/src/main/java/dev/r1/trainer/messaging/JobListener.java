package dev.r1.trainer.messaging;

import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.trainer.job.JobManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/** Starts the GRPO jobs the gateway accepted; other methods belong to other services. */
@Component
class JobListener implements MessageListener<String, byte[]> {

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
    if (job != null && job.method().equals("grpo")) {
      jobs.submit(job);
    }
  }
}
