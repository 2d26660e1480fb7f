package dev.r1.trainer.messaging;

import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.ScoredGroup;
import dev.r1.trainer.job.JobManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/** Hands scored groups to the job that asked for them; poison goes to the dead-letter topic. */
@Component
class ScoredGroupListener implements MessageListener<String, byte[]> {

  private final JobManager jobs;
  private final DeadLetters deadLetters;

  ScoredGroupListener(JobManager jobs, DeadLetters deadLetters) {
    this.jobs = jobs;
    this.deadLetters = deadLetters;
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    ScoredGroup group;
    try {
      group = Json.decode(record.topic(), record.value(), ScoredGroup.class);
    } catch (PoisonMessageException | ContractViolationException e) {
      deadLetters.route(record, "poison", e);
      return;
    }
    if (group == null) {
      return;
    }
    jobs.deliver(group, record.partition(), record.offset());
  }
}
