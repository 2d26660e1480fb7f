package dev.r1.distill.messaging;

import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.Json;
import dev.r1.distill.job.ChildJobs;
import dev.r1.distill.job.JobManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/**
 * Reads job events for two things: the gateway's cancel requests for this service's jobs, and the
 * events of the GRPO stages a pipeline started on the trainer-service (handed to the pipeline).
 */
@Component
class JobEventListener implements MessageListener<String, byte[]> {

  private final JobManager jobs;
  private final ChildJobs children;

  JobEventListener(JobManager jobs, ChildJobs children) {
    this.jobs = jobs;
    this.children = children;
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    JobEvent event;
    try {
      event = Json.decode(record.topic(), record.value(), JobEvent.class);
    } catch (RuntimeException e) {
      return; // the gateway owns the job-events dead letters
    }
    if (event == null) {
      return;
    }
    if ("gateway".equals(event.source()) && event.type() == JobEventType.CANCELLED) {
      jobs.cancel(event.jobId());
    }
    if ("trainer-service".equals(event.source())) {
      children.deliver(event);
    }
  }
}
