package dev.r1.trainer.web;

import dev.r1.trainer.job.JobManager;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Read-only view of the jobs this trainer runs (progress, last metrics, trained group ids). */
@RestController
class JobStatusController {

  private final JobManager jobs;

  JobStatusController(JobManager jobs) {
    this.jobs = jobs;
  }

  @GetMapping("/v1/trainer/jobs/{jobId}")
  ResponseEntity<?> status(@PathVariable String jobId) {
    return jobs.status(jobId)
        .<ResponseEntity<?>>map(ResponseEntity::ok)
        .orElseGet(
            () -> {
              ProblemDetail p =
                  ProblemDetail.forStatusAndDetail(
                      HttpStatus.NOT_FOUND, "job " + jobId + " is not running on this trainer");
              return ResponseEntity.status(HttpStatus.NOT_FOUND).body(p);
            });
  }
}
