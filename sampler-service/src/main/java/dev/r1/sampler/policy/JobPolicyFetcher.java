package dev.r1.sampler.policy;

import dev.r1.sampler.SamplerProperties;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Loads a job's latest policy version on first sight of the job, before its first prompt is
 * sampled. Without it, a prompt that arrives before the policy-published event of the job's first
 * version would be sampled by the base model and recorded as version 0 of the job.
 */
@Component
public class JobPolicyFetcher {

  private static final Logger log = LoggerFactory.getLogger(JobPolicyFetcher.class);
  private static final long RECHECK_NANOS = 2_000_000_000L;

  private final SamplerProperties properties;
  private final PolicyRegistry registry;
  private final PolicyDownloader downloader;
  private final PolicyLoader loader;
  private final Map<String, Long> absentSince = new ConcurrentHashMap<>();

  JobPolicyFetcher(
      SamplerProperties properties,
      PolicyRegistry registry,
      PolicyDownloader downloader,
      PolicyLoader loader) {
    this.properties = properties;
    this.registry = registry;
    this.downloader = downloader;
    this.loader = loader;
  }

  /** Makes sure the job's latest version is loaded when the policy-service has one. */
  public void ensureLoaded(String jobId) {
    String url = properties.policyServiceUrl();
    if (url == null || url.isBlank() || !registry.loadedVersions(jobId).isEmpty()) {
      return;
    }
    Long checked = absentSince.get(jobId);
    if (checked != null && System.nanoTime() - checked < RECHECK_NANOS) {
      return;
    }
    synchronized (this) {
      if (!registry.loadedVersions(jobId).isEmpty()) {
        return;
      }
      try {
        var latest =
            downloader.download(
                url + "/v1/jobs/" + jobId + "/versions/latest", null, jobId + "/latest");
        if (registry.wants(jobId, latest.version())) {
          registry.install(loader.load(latest.dir(), jobId, latest.version()));
        }
        absentSince.remove(jobId);
        log.info(
            "Loaded policy version {} of job {} before sampling its first prompt.",
            latest.version(),
            jobId);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        absentSince.put(jobId, System.nanoTime());
        if (!String.valueOf(e.getMessage()).contains("answered 404")) {
          log.warn("Could not fetch the latest policy of job {}: {}", jobId, e.getMessage());
        }
      }
    }
  }
}
