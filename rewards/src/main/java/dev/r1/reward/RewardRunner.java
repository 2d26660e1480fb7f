package dev.r1.reward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scores batches of completions with a {@link RewardSpec}. Every function call runs on a bounded
 * thread pool and is bounded by its timeout, counted from when the call starts: a call that runs
 * over is cancelled (interrupted, then abandoned) and reported as {@code TIMEOUT} with value 0; an
 * exception becomes {@code ERROR} with its message. Group functions ({@link GroupRewardFunction})
 * get the completions that share metadata {@code group_id} (or the whole batch).
 *
 * <p>Thread-safe; one instance per spec, reused across batches (a Kafka listener keeps one per
 * job). Close it to stop the pool.
 *
 * <pre>{@code
 * try (RewardRunner runner = new RewardRunner(spec, registry, 4)) {
 *   List<RewardRunner.Scored> scores = runner.score(inputs);
 *   double r = scores.get(0).total();
 * }
 * }</pre>
 */
public final class RewardRunner implements AutoCloseable {

  /**
   * One function's outcome on one completion.
   *
   * @param value the reward (0 unless OK)
   * @param status OK, TIMEOUT or ERROR
   * @param detail why (extracted answer, error message)
   * @param millis time the call took (for a group function: the whole group's call)
   */
  public record ComponentScore(
      double value, RewardResult.Status status, String detail, long millis) {}

  /**
   * One completion's scores.
   *
   * @param components function name to its score, in spec order
   * @param total sum of weight * value
   * @param millis sum of the components' times
   */
  public record Scored(Map<String, ComponentScore> components, double total, long millis) {}

  private final RewardSpec spec;
  private final List<RewardFunction> functions;
  private final ExecutorService pool;
  private final ScheduledExecutorService watchdog;
  private final int threads;

  /** Builds the spec's functions from the registry and a pool of {@code threads} workers. */
  public RewardRunner(RewardSpec spec, RewardRegistry registry, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.spec = Objects.requireNonNull(spec, "spec");
    this.threads = threads;
    List<RewardFunction> fs = new ArrayList<>();
    for (int i = 0; i < spec.rewards().size(); i++) {
      RewardSpec.Component c = spec.rewards().get(i);
      fs.add(registry.create(c.name(), new RewardParams("rewards[" + i + "].params", c.params())));
    }
    this.functions = List.copyOf(fs);
    this.pool = Executors.newFixedThreadPool(threads, daemon("reward-worker"));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("reward-watchdog"));
  }

  /** Parses the spec map with the registry and builds a runner. */
  public static RewardRunner of(Map<String, ?> spec, RewardRegistry registry, int threads) {
    return new RewardRunner(RewardSpec.fromMap(spec, registry), registry, threads);
  }

  public RewardSpec spec() {
    return spec;
  }

  /** Scores one completion. */
  public Scored score(RewardInput input) {
    return score(List.of(input)).get(0);
  }

  /** Scores a batch; the result list is parallel to {@code batch}. */
  public List<Scored> score(List<RewardInput> batch) {
    int n = batch.size();
    List<List<Call>> calls = new ArrayList<>(); // per component: calls covering all inputs
    int totalCalls = 0;
    for (int f = 0; f < functions.size(); f++) {
      RewardFunction fn = functions.get(f);
      long timeout = spec.rewards().get(f).timeout(spec);
      List<Call> list = new ArrayList<>();
      if (fn instanceof GroupRewardFunction g) {
        for (List<Integer> group : groups(batch)) {
          List<RewardInput> members = new ArrayList<>();
          group.forEach(i -> members.add(batch.get(i)));
          list.add(submit(group, () -> g.scoreGroup(members), timeout));
        }
      } else {
        for (int i = 0; i < n; i++) {
          RewardInput in = batch.get(i);
          list.add(submit(List.of(i), () -> List.of(fn.score(in)), timeout));
        }
      }
      totalCalls += list.size();
      calls.add(list);
    }
    ComponentScore[][] scores = new ComponentScore[n][functions.size()];
    for (int f = 0; f < functions.size(); f++) {
      long timeout = spec.rewards().get(f).timeout(spec);
      // a call waits in the queue behind at most totalCalls / threads rounds of others
      long cap = timeout * (1 + (long) Math.ceil(totalCalls / (double) threads)) + 1000;
      for (Call call : calls.get(f)) {
        List<ComponentScore> results = call.await(cap, timeout);
        for (int k = 0; k < call.indices.size(); k++) {
          scores[call.indices.get(k)][f] = results.get(k);
        }
      }
    }
    List<Scored> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, ComponentScore> comps = new LinkedHashMap<>();
      double total = 0;
      long millis = 0;
      for (int f = 0; f < functions.size(); f++) {
        ComponentScore c = scores[i][f];
        comps.put(spec.rewards().get(f).name(), c);
        total += spec.rewards().get(f).weight() * c.value();
        millis += c.millis();
      }
      out.add(new Scored(comps, total, millis));
    }
    return out;
  }

  private static List<List<Integer>> groups(List<RewardInput> batch) {
    Map<Object, List<Integer>> byGroup = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Object key = batch.get(i).metadata().get(GroupRewardFunction.GROUP_KEY);
      byGroup.computeIfAbsent(key == null ? "" : key, k -> new ArrayList<>()).add(i);
    }
    return new ArrayList<>(byGroup.values());
  }

  private interface Body {
    List<RewardResult> run();
  }

  /** One submitted call covering {@code indices} of the batch. */
  private final class Call {
    final List<Integer> indices;
    final FutureTask<List<RewardResult>> task;
    volatile long startNanos;
    volatile long endNanos;

    Call(List<Integer> indices, Body body, long timeout) {
      this.indices = indices;
      this.task =
          new FutureTask<>(
              () -> {
                startNanos = System.nanoTime();
                ScheduledFuture<?> guard =
                    watchdog.schedule(
                        () -> Call.this.task.cancel(true), timeout, TimeUnit.MILLISECONDS);
                try {
                  return body.run();
                } finally {
                  guard.cancel(false);
                  endNanos = System.nanoTime();
                }
              });
    }

    List<ComponentScore> await(long capMillis, long timeout) {
      List<RewardResult> results;
      String failure = null;
      RewardResult.Status status = RewardResult.Status.OK;
      try {
        results = task.get(capMillis, TimeUnit.MILLISECONDS);
      } catch (CancellationException e) {
        results = null;
        status = RewardResult.Status.TIMEOUT;
        failure = "timed out after " + timeout + " ms";
      } catch (TimeoutException e) {
        task.cancel(true);
        results = null;
        status = RewardResult.Status.TIMEOUT;
        failure = "not finished within " + capMillis + " ms (worker pool saturated)";
      } catch (ExecutionException e) {
        results = null;
        status = RewardResult.Status.ERROR;
        Throwable c = e.getCause();
        failure = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        task.cancel(true);
        results = null;
        status = RewardResult.Status.TIMEOUT;
        failure = "interrupted";
      }
      long millis = elapsedMillis(timeout, status);
      List<ComponentScore> out = new ArrayList<>(indices.size());
      if (results != null && results.size() != indices.size()) {
        status = RewardResult.Status.ERROR;
        failure = "group function returned " + results.size() + " results for " + indices.size();
        results = null;
      }
      for (int k = 0; k < indices.size(); k++) {
        if (results == null) {
          out.add(new ComponentScore(0.0, status, failure, millis));
        } else {
          RewardResult r = results.get(k);
          if (r == null) {
            out.add(new ComponentScore(0.0, RewardResult.Status.ERROR, "null result", millis));
          } else {
            double v = r.status() == RewardResult.Status.OK ? r.value() : 0.0;
            if (!Double.isFinite(v)) {
              out.add(
                  new ComponentScore(
                      0.0, RewardResult.Status.ERROR, "non-finite value " + v, millis));
            } else {
              out.add(new ComponentScore(v, r.status(), r.detail(), millis));
            }
          }
        }
      }
      return out;
    }

    private long elapsedMillis(long timeout, RewardResult.Status status) {
      long s = startNanos;
      if (s == 0) {
        return 0;
      }
      long e = endNanos;
      if (e == 0 || status == RewardResult.Status.TIMEOUT) {
        return Math.max(timeout, (System.nanoTime() - s) / 1_000_000);
      }
      return (e - s) / 1_000_000;
    }
  }

  private Call submit(List<Integer> indices, Body body, long timeout) {
    Call c = new Call(indices, body, timeout);
    pool.execute(c.task);
    return c;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops the pool; calls still running are interrupted. */
  @Override
  public void close() {
    pool.shutdownNow();
    watchdog.shutdownNow();
  }
}
