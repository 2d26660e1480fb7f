package dev.r1.sampler.policy;

import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.PolicyPublished;
import dev.r1.sampler.DeadLetters;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reacts to {@code PolicyPublished}: downloads and loads the newest version per job in each poll,
 * then swaps it in. Runs on its own consumer thread, so sampling goes on while a version loads.
 */
@Component
public class PolicyWatcher {

  private static final Logger log = LoggerFactory.getLogger(PolicyWatcher.class);

  private final PolicyRegistry registry;
  private final PolicyDownloader downloader;
  private final PolicyLoader loader;
  private final DeadLetters deadLetters;

  PolicyWatcher(
      PolicyRegistry registry,
      PolicyDownloader downloader,
      PolicyLoader loader,
      DeadLetters deadLetters) {
    this.registry = registry;
    this.downloader = downloader;
    this.loader = loader;
    this.deadLetters = deadLetters;
  }

  /** Handles one poll of the policy-published topic. */
  public void onBatch(List<ConsumerRecord<String, byte[]>> records, String consumerGroup) {
    Map<String, PolicyPublished> newest = new HashMap<>();
    Map<String, ConsumerRecord<String, byte[]>> sources = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.value() == null) {
        continue; // tombstone
      }
      PolicyPublished p;
      try {
        p = Json.decode(r.topic(), r.value(), PolicyPublished.class);
      } catch (PoisonMessageException e) {
        deadLetters.poison(r, e, consumerGroup);
        continue;
      }
      PolicyPublished seen = newest.get(p.jobId());
      if (seen == null || p.version() > seen.version()) {
        newest.put(p.jobId(), p);
        sources.put(p.jobId(), r);
      }
    }
    for (PolicyPublished p : newest.values()) {
      if (!registry.wants(p.jobId(), p.version())) {
        log.debug(
            "Skipping policy version {} of job {}: already loaded or older.",
            p.version(),
            p.jobId());
        continue;
      }
      try {
        load(p);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        log.error(
            "Could not load policy version {} of job {} from {}: {}",
            p.version(),
            p.jobId(),
            p.uri(),
            e.toString());
        deadLetters.failure(sources.get(p.jobId()), e, consumerGroup);
      }
    }
  }

  private void load(PolicyPublished p) throws Exception {
    long start = System.nanoTime();
    Path dir;
    boolean downloaded = !p.uri().startsWith("file:");
    if (downloaded) {
      dir = downloader.download(p, p.jobId() + "/v" + p.version()).dir();
    } else {
      dir = Path.of(URI.create(p.uri()));
    }
    long fetched = System.nanoTime();
    LoadedPolicy policy = loader.load(dir, p.jobId(), p.version(), downloaded);
    long loaded = System.nanoTime();
    if (registry.install(policy)) {
      log.info(
          "Policy version {} of job {} (step {}) is live after {} ms (download {} ms, load {}"
              + " ms).",
          p.version(),
          p.jobId(),
          p.step(),
          (System.nanoTime() - start) / 1_000_000,
          (fetched - start) / 1_000_000,
          (loaded - fetched) / 1_000_000);
    }
  }
}
