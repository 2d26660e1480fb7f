package dev.r1.distill.job;

import dev.r1.contracts.JobEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** The events of the jobs pipelines started on other services, queued for the pipeline. */
@Component
public class ChildJobs {

  private final Map<String, BlockingQueue<JobEvent>> queues = new ConcurrentHashMap<>();

  void register(String jobId) {
    queues.putIfAbsent(jobId, new LinkedBlockingQueue<>());
  }

  void unregister(String jobId) {
    queues.remove(jobId);
  }

  /** Queues an event when a pipeline waits for its job; others are ignored. */
  public void deliver(JobEvent event) {
    BlockingQueue<JobEvent> q = queues.get(event.jobId());
    if (q != null) {
      q.add(event);
    }
  }

  JobEvent poll(String jobId, Duration wait) throws InterruptedException {
    BlockingQueue<JobEvent> q = queues.get(jobId);
    return q == null ? null : q.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
