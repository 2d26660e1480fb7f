package dev.r1.trainer.messaging;

import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.Json;
import dev.r1.trainer.job.JobManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/**
 * Applies the gateway's cancel, pause and resume requests to running jobs, and the
 * distill-service's cancellation of the GRPO stages it started for a cancelled pipeline.
 */
@Component
class JobControlListener implements MessageListener<String, byte[]> {

  private final JobManager jobs;

  JobControlListener(JobManager jobs) {
    this.jobs = jobs;
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    JobEvent event;
    try {
      event = Json.decode(record.topic(), record.value(), JobEvent.class);
    } catch (RuntimeException e) {
      return; // the gateway owns the job-events dead letters; control ignores what it can't read
    }
    if (event == null) {
      return;
    }
    boolean pipelineCancel =
        "distill-service".equals(event.source()) && event.type() == JobEventType.CANCELLED;
    if (!"gateway".equals(event.source()) && !pipelineCancel) {
      return;
    }
    switch (event.type()) {
      case CANCELLED -> jobs.cancel(event.jobId());
      case PAUSED -> jobs.pause(event.jobId(), true);
      case RESUMED -> jobs.pause(event.jobId(), false);
      default -> {}
    }
  }
}
