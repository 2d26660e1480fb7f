package dev.r1.reward.service.scoring;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.reward.RewardSpec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link RewardRunner} per distinct reward spec, least recently used first out. A runner that
 * is evicted while it scores is closed when its last user is done.
 */
public final class RunnerCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RunnerCache.class);
  private static final Pattern FIELD =
      Pattern.compile("^((?:rewards|timeout_ms)(?:\\[\\d+])?(?:\\.[A-Za-z0-9_]+)*)");

  private final RewardRegistry registry;
  private final int threads;
  private final long defaultTimeoutMillis;
  private final int maxEntries;
  private final LinkedHashMap<Map<String, Object>, Entry> entries =
      new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  /** Scores with a spec's runner; the spec and its results. */
  public record Result(RewardSpec spec, List<RewardRunner.Scored> scores) {}

  private static final class Entry {
    final RewardRunner runner;
    int leases;
    boolean evicted;

    Entry(RewardRunner runner) {
      this.runner = runner;
    }
  }

  /**
   * @param registry the reward functions
   * @param threads worker threads of each runner
   * @param defaultTimeoutMillis the call bound of a spec without {@code timeout_ms}
   * @param maxEntries most runners kept
   */
  public RunnerCache(
      RewardRegistry registry, int threads, long defaultTimeoutMillis, int maxEntries) {
    this.registry = registry;
    this.threads = threads;
    this.defaultTimeoutMillis = defaultTimeoutMillis;
    this.maxEntries = maxEntries;
  }

  /** The registry the specs are checked against. */
  public RewardRegistry registry() {
    return registry;
  }

  /**
   * Parses and validates a spec map as the cache would.
   *
   * @param specPath the spec's place in the caller's terms, prefixed to the field in errors (e.g.
   *     {@code spec} or {@code task.metadata.reward_spec})
   * @throws InvalidRewardSpecException naming the field at fault
   */
  public RewardSpec parse(Map<String, ?> spec, String specPath) {
    try {
      return RewardSpec.fromMap(withDefaultTimeout(spec), registry);
    } catch (IllegalArgumentException e) {
      throw invalid(specPath, e.getMessage());
    }
  }

  /**
   * Scores a batch with the runner of {@code spec} (built on first use).
   *
   * @throws InvalidRewardSpecException if the spec is invalid
   */
  public Result score(Map<String, ?> spec, String specPath, List<RewardInput> batch) {
    Entry e = acquire(withDefaultTimeout(spec), specPath);
    try {
      return new Result(e.runner.spec(), e.runner.score(batch));
    } finally {
      release(e);
    }
  }

  /** Number of live runners. */
  public synchronized int size() {
    return entries.size();
  }

  private Map<String, Object> withDefaultTimeout(Map<String, ?> spec) {
    if (spec == null) {
      throw new InvalidRewardSpecException("spec", "reward spec must not be null");
    }
    Map<String, Object> m = new LinkedHashMap<>(spec);
    m.putIfAbsent("timeout_ms", defaultTimeoutMillis);
    return m;
  }

  private synchronized Entry acquire(Map<String, Object> key, String specPath) {
    if (closed) {
      throw new IllegalStateException("the reward runner cache is closed");
    }
    Entry e = entries.get(key);
    if (e == null) {
      RewardSpec parsed;
      try {
        parsed = RewardSpec.fromMap(key, registry);
      } catch (IllegalArgumentException ex) {
        throw invalid(specPath, ex.getMessage());
      }
      e = new Entry(new RewardRunner(parsed, registry, threads));
      entries.put(key, e);
      log.info(
          "Built a reward runner for spec {} ({} cached, at most {}).",
          parsed.toMap(),
          entries.size(),
          maxEntries);
      evictBeyondLimit();
    }
    e.leases++;
    return e;
  }

  private void evictBeyondLimit() {
    Iterator<Entry> it = entries.values().iterator();
    while (entries.size() > maxEntries && it.hasNext()) {
      Entry old = it.next();
      it.remove();
      old.evicted = true;
      if (old.leases == 0) {
        old.runner.close();
      }
    }
  }

  private synchronized void release(Entry e) {
    e.leases--;
    if (e.evicted && e.leases == 0) {
      e.runner.close();
    }
  }

  private static InvalidRewardSpecException invalid(String specPath, String message) {
    // RewardSpec messages start with the field: "rewards[0].weight must be a number, ..."
    String msg = message == null ? "invalid reward spec" : message;
    Matcher m = FIELD.matcher(msg);
    if (m.find()) {
      return new InvalidRewardSpecException(specPath + "." + m.group(1), specPath + "." + msg);
    }
    if (msg.startsWith("reward spec")) {
      msg = msg.substring("reward spec".length()).replaceFirst("^[: ]+", "");
    }
    return new InvalidRewardSpecException(specPath, specPath + ": " + msg);
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.runner.close();
    }
    entries.clear();
  }
}
