package dev.r1.gateway.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The read model behind {@code GET /v1/jobs/{id}}, its events and metrics: per job, the row and its
 * latest events in memory, so pollers do not each cost database round trips. The database stays the
 * source of truth: {@link JobService} marks a job stale after every change it commits (so this
 * replica reads its own writes at once), and a snapshot older than {@code max-age} is brought up to
 * date on the next read (changes another replica applied). Bringing it up to date reads the job row
 * and only the events past the last cached one: a job's events are inserted while its row is
 * locked, so their {@code seq} grows in commit order. One reader per job refreshes; the others wait
 * for it.
 */
@Component
class JobReadCache {

  private static final Logger log = LoggerFactory.getLogger(JobReadCache.class);

  /** Reads closer together than this do not rewrite a job's last-read time (eviction order). */
  private static final long TOUCH_NANOS = 100_000_000L;

  /**
   * One job as read at {@code readAtNanos}: {@code events} are its latest events, oldest first, all
   * of them when {@code complete}.
   */
  record Snapshot(
      Job job, List<StoredEvent> events, boolean complete, long lastSeq, long readAtNanos) {

    /** A page of events after {@code after} (null: from the first), or empty if not held. */
    Optional<List<StoredEvent>> events(String after, int limit, String type) {
      int from;
      if (after == null) {
        if (!complete) {
          return Optional.empty();
        }
        from = 0;
      } else {
        // pollers pass the last event they saw: search from the newest end
        int i = events.size() - 1;
        while (i >= 0 && !events.get(i).eventId().equals(after)) {
          i--;
        }
        if (i < 0) {
          return Optional.empty();
        }
        from = i + 1;
      }
      List<StoredEvent> page = new ArrayList<>(Math.min(limit, events.size() - from));
      for (int i = from; i < events.size() && page.size() < limit; i++) {
        StoredEvent e = events.get(i);
        if (type == null || type.equals(e.type())) {
          page.add(e);
        }
      }
      return Optional.of(page);
    }

    /** Every STEP_METRICS event with a step, or empty if not all events are held. */
    Optional<List<StoredEvent>> stepMetrics() {
      if (!complete) {
        return Optional.empty();
      }
      return Optional.of(
          events.stream()
              .filter(e -> "STEP_METRICS".equals(e.type()) && e.step() != null)
              .toList());
    }
  }

  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    volatile Snapshot snapshot;
    volatile long lastReadNanos = System.nanoTime();
  }

  private final JobStore store;
  private final ReadCacheProperties properties;
  private final long maxAgeNanos;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();

  JobReadCache(JobStore store, ReadCacheProperties properties) {
    this.store = store;
    this.properties = properties;
    this.maxAgeNanos = properties.maxAge().toNanos();
  }

  /** The job as of at most {@code max-age} ago (or its last change here), if it exists. */
  Optional<Snapshot> read(String jobId) {
    Slot slot = slots.get(jobId);
    if (slot == null) {
      slot = slots.computeIfAbsent(jobId, id -> new Slot());
      if (slots.size() > properties.maxJobs()) {
        evict();
      }
    }
    long now = System.nanoTime();
    if (now - slot.lastReadNanos > TOUCH_NANOS) {
      slot.lastReadNanos = now;
    }
    Snapshot s = slot.snapshot;
    if (s != null && now - s.readAtNanos() < maxAgeNanos) {
      return Optional.of(s);
    }
    if (s != null && !slot.lock.tryLock()) {
      return Optional.of(s); // someone is bringing it up to date
    }
    if (s == null) {
      slot.lock.lock();
    }
    try {
      s = slot.snapshot;
      if (s != null && System.nanoTime() - s.readAtNanos() < maxAgeNanos) {
        return Optional.of(s);
      }
      return Optional.ofNullable(refresh(jobId, slot));
    } finally {
      slot.lock.unlock();
    }
  }

  /**
   * Called after a change to the job is committed: brings a cached job up to date before the caller
   * answers (read your writes); a job nobody reads is left alone.
   */
  void changed(String jobId) {
    Slot slot = slots.get(jobId);
    if (slot == null) {
      return;
    }
    slot.lock.lock();
    try {
      refresh(jobId, slot);
    } catch (RuntimeException e) {
      slots.remove(jobId, slot);
      log.warn(
          "Dropped job {} from the read cache: it could not be refreshed after a change: {}",
          jobId,
          e.toString());
    } finally {
      slot.lock.unlock();
    }
  }

  /**
   * Loads and installs the slot's snapshot (the slot's lock held); null if there is no such job.
   */
  private Snapshot refresh(String jobId, Slot slot) {
    Snapshot s = load(jobId, slot.snapshot);
    if (s == null) {
      slots.remove(jobId, slot);
    } else {
      slot.snapshot = s;
    }
    return s;
  }

  /** How many jobs are cached (for tests and metrics). */
  int size() {
    return slots.size();
  }

  /** Reads the job row and the events past {@code old}'s last one; null if there is no such job. */
  private Snapshot load(String jobId, Snapshot old) {
    long readAt = System.nanoTime();
    Optional<Job> job = store.find(jobId);
    if (job.isEmpty()) {
      return null;
    }
    int max = properties.maxEvents();
    if (old != null) {
      List<StoredEvent> newer = store.eventsAfterSeq(jobId, old.lastSeq(), max + 1);
      if (newer.size() <= max) {
        List<StoredEvent> events = old.events();
        boolean complete = old.complete();
        if (!newer.isEmpty()) {
          int keep = Math.min(events.size(), max - newer.size());
          complete = complete && keep == events.size();
          List<StoredEvent> merged = new ArrayList<>(keep + newer.size());
          merged.addAll(events.subList(events.size() - keep, events.size()));
          merged.addAll(newer);
          events = List.copyOf(merged);
        }
        long lastSeq = events.isEmpty() ? old.lastSeq() : events.get(events.size() - 1).seq();
        return new Snapshot(job.get(), events, complete, lastSeq, readAt);
      }
    }
    List<StoredEvent> latest = new ArrayList<>(store.latestEvents(jobId, max + 1));
    boolean complete = latest.size() <= max;
    if (!complete) {
      latest.remove(0);
    }
    long lastSeq = latest.isEmpty() ? -1 : latest.get(latest.size() - 1).seq();
    log.debug("Loaded job {} into the read cache with {} events.", jobId, latest.size());
    return new Snapshot(job.get(), List.copyOf(latest), complete, lastSeq, readAt);
  }

  /** Drops the least recently read quarter of the jobs. */
  private synchronized void evict() {
    if (slots.size() <= properties.maxJobs()) {
      return;
    }
    List<Map.Entry<String, Slot>> entries = new ArrayList<>(slots.entrySet());
    entries.sort(Comparator.comparingLong(e -> e.getValue().lastReadNanos));
    int drop = Math.max(1, entries.size() / 4);
    for (int i = 0; i < drop; i++) {
      slots.remove(entries.get(i).getKey(), entries.get(i).getValue());
    }
    log.info(
        "The job read cache held more than {} jobs: dropped the {} least recently read.",
        properties.maxJobs(),
        drop);
  }
}
