package dev.r1.sampler.policy;

import dev.r1.sampler.SamplerProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The loaded policy versions: a base model (version 0) and, per job, the last {@code
 * r1.sampler.keep-versions} published versions. Installing a version swaps it in for new batches; a
 * version pushed out of the window is closed once its in-flight batches finish.
 *
 * <p>Choice of version for a prompt of job J asking for version v: J's exact version if loaded; the
 * oldest loaded if v is older than all; the newest loaded if v is newer than all or absent;
 * otherwise the newest loaded below v. A job with no loaded versions gets the base model. The
 * version actually used is what the sampled group records.
 *
 * <p>A prompt asking for a version newer than every loaded one of its job first waits up to {@code
 * r1.sampler.version-wait} for it: an on-policy trainer asks for the version it has just published,
 * and a group sampled with the previous one would be dropped as stale and sampled again.
 */
@Component
public class PolicyRegistry {

  private static final Logger log = LoggerFactory.getLogger(PolicyRegistry.class);

  private final int keep;
  private final long versionWaitNanos;
  private final MeterRegistry meters;
  private final Map<String, NavigableMap<Long, LoadedPolicy>> jobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> versionGauges = new ConcurrentHashMap<>();
  private volatile LoadedPolicy base;

  PolicyRegistry(SamplerProperties properties, MeterRegistry meters) {
    this.keep = properties.keepVersions();
    this.versionWaitNanos = properties.versionWait().toNanos();
    this.meters = meters;
  }

  /** Whether any model can serve prompts. */
  public boolean ready() {
    return base != null || !jobs.isEmpty();
  }

  /** Installs the base model (version 0 for jobs without versions); replaces any earlier one. */
  public synchronized void installBase(LoadedPolicy policy) {
    LoadedPolicy old = base;
    base = policy;
    gauge("base").set(0);
    if (old != null) {
      old.retire();
    }
    log.info("Installed the base model as policy version 0.");
  }

  /**
   * Makes a job's version available to new batches, retiring the oldest beyond the window.
   *
   * @return false (and the policy is closed) if that version was already loaded or is older than
   *     every version kept in a full window
   */
  public synchronized boolean install(LoadedPolicy policy) {
    NavigableMap<Long, LoadedPolicy> versions =
        jobs.computeIfAbsent(policy.jobId(), j -> new ConcurrentSkipListMap<>());
    if (versions.containsKey(policy.version())
        || (versions.size() >= keep && policy.version() < versions.firstKey())) {
      policy.retire();
      return false;
    }
    versions.put(policy.version(), policy);
    List<LoadedPolicy> dropped = new ArrayList<>();
    while (versions.size() > keep) {
      dropped.add(versions.pollFirstEntry().getValue());
    }
    gauge(policy.jobId()).set(versions.lastKey());
    notifyAll(); // prompts waiting for this version
    log.info(
        "Swapped in {}; loaded versions of job {} are now {}.",
        policy,
        policy.jobId(),
        versions.keySet());
    dropped.forEach(
        d -> {
          log.info("Retiring {}; it is closed once its in-flight batches finish.", d);
          d.retire();
        });
    return true;
  }

  /** Whether a version of a job should be fetched: not loaded and not older than the window. */
  public boolean wants(String jobId, long version) {
    NavigableMap<Long, LoadedPolicy> versions = jobs.get(jobId);
    if (versions == null || versions.isEmpty()) {
      return true;
    }
    return !versions.containsKey(version) && version > versions.lastKey();
  }

  /**
   * The versions of a job that are loaded, oldest first; never seen halfway through an {@link
   * #install} (the versions it pushed out of the window are retired by then).
   */
  public synchronized List<Long> loadedVersions(String jobId) {
    NavigableMap<Long, LoadedPolicy> versions = jobs.get(jobId);
    return versions == null ? List.of() : List.copyOf(versions.keySet());
  }

  /**
   * Leases the version to sample a prompt of {@code jobId} with (see the class comment).
   *
   * @throws IllegalStateException when no model is loaded at all
   */
  public PolicyLease acquire(String jobId, Long requested) {
    if (requested != null) {
      awaitVersion(jobId, requested);
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      LoadedPolicy p = choose(jobId, requested);
      if (p == null) {
        throw new IllegalStateException(
            "no policy is loaded for job " + jobId + " and there is no base model");
      }
      if (p.tryAcquire()) {
        return new PolicyLease(p);
      }
      // retired between choosing and acquiring: choose again
    }
    throw new IllegalStateException("could not lease a policy for job " + jobId);
  }

  /** Waits (bounded) while the job has loaded versions but none as new as {@code requested}. */
  private synchronized void awaitVersion(String jobId, long requested) {
    long deadline = System.nanoTime() + versionWaitNanos;
    long started = System.nanoTime();
    while (true) {
      NavigableMap<Long, LoadedPolicy> versions = jobs.get(jobId);
      if (versions == null || versions.isEmpty() || versions.lastKey() >= requested) {
        long waited = (System.nanoTime() - started) / 1_000_000;
        if (waited > 0) {
          log.debug("Waited {} ms for policy version {} of job {}.", waited, requested, jobId);
        }
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.info(
            "Policy version {} of job {} did not arrive within {} ms; sampling with version {}"
                + " instead.",
            requested,
            jobId,
            versionWaitNanos / 1_000_000,
            versions.lastKey());
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private LoadedPolicy choose(String jobId, Long requested) {
    NavigableMap<Long, LoadedPolicy> versions = jobs.get(jobId);
    if (versions == null || versions.isEmpty()) {
      return base;
    }
    Map.Entry<Long, LoadedPolicy> e;
    if (requested == null) {
      e = versions.lastEntry();
    } else {
      e = versions.floorEntry(requested);
      if (e == null) {
        e = versions.firstEntry();
      }
    }
    return e == null ? base : e.getValue();
  }

  private AtomicLong gauge(String job) {
    return versionGauges.computeIfAbsent(
        job,
        j -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("r1.sampler.policy.version", v, AtomicLong::get)
              .description("newest policy version loaded for the job")
              .tag("job", j)
              .register(meters);
          return v;
        });
  }

  @PreDestroy
  synchronized void close() {
    jobs.values().forEach(v -> v.values().forEach(LoadedPolicy::retire));
    jobs.clear();
    if (base != null) {
      base.retire();
    }
  }
}
