package dev.r1.sampler.policy;

import dev.r1.sampler.SamplerProperties;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Loads the initial weights once the application is up (a local base folder, or the base model and
 * the job's latest version from the policy-service, retrying until they come), then starts the
 * prompt consumer. Prompts are not consumed before a model is loaded.
 */
@Component
class InitialPolicy {

  private static final Logger log = LoggerFactory.getLogger(InitialPolicy.class);

  private final SamplerProperties properties;
  private final PolicyRegistry registry;
  private final PolicyDownloader downloader;
  private final PolicyLoader loader;
  private final MessageListenerContainer prompts;
  private volatile Thread thread;

  InitialPolicy(
      SamplerProperties properties,
      PolicyRegistry registry,
      PolicyDownloader downloader,
      PolicyLoader loader,
      @Qualifier("promptContainer") MessageListenerContainer prompts) {
    this.properties = properties;
    this.registry = registry;
    this.downloader = downloader;
    this.loader = loader;
    this.prompts = prompts;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    thread = new Thread(this::run, "r1-sampler-initial-policy");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long backoff = 1000;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        loadOnce();
        break;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        log.warn("Initial weights not loaded yet ({}); retrying in {} ms.", e.toString(), backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
    while (!registry.ready()) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
    }
    log.info(
        "Sampler {} starts consuming prompts (group {}).",
        properties.instanceId(),
        properties.consumerGroup());
    prompts.start();
  }

  private void loadOnce() throws IOException, InterruptedException {
    String url = properties.policyServiceUrl();
    if (url != null && url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    if (properties.baseModelDir() != null) {
      registry.installBase(loader.load(properties.baseModelDir(), null, 0));
    } else if (url != null && !url.isBlank()) {
      var base =
          downloader.download(
              url + "/v1/models/" + properties.baseModel() + "/manifest",
              null,
              "models/" + properties.baseModel());
      registry.installBase(loader.load(base.dir(), null, 0));
    } else {
      log.warn(
          "No initial weights configured (r1.sampler.base-model-dir or policy-service-url);"
              + " waiting for a published policy version.");
    }
    String job = properties.jobId();
    if (job != null && !job.isBlank() && url != null && !url.isBlank()) {
      try {
        var latest =
            downloader.download(
                url + "/v1/jobs/" + job + "/versions/latest", null, job + "/latest");
        registry.install(loader.load(latest.dir(), job, latest.version()));
      } catch (IOException e) {
        if (!String.valueOf(e.getMessage()).contains("answered 404")) {
          throw e;
        }
        log.info("Job {} has no policy versions yet; sampling it with the base model.", job);
      }
    }
  }
}
