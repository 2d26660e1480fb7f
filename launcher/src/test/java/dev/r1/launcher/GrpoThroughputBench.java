package dev.r1.launcher;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.contracts.VersionedMessage;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.training.grpo.GrpoTrainer;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.task.ArithmeticTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPO steps per minute at the tiny config: in one process (LocalGrpoLoop) against the same steps
 * through Kafka and the services (one sampler, max_staleness 0), and the asynchronous mode (two
 * samplers, max_staleness 1) with the trainer's idle share and clip fractions. Prints lines
 * starting with BENCH. Run: {@code mvn test -pl launcher -am -Dr1.excludedGroups=none
 * -Dgroups=bench -Dtest=GrpoThroughputBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("bench")
class GrpoThroughputBench {

  static final int STEPS = Integer.getInteger("r1.bench.steps", 30);

  /**
   * libtorch intra-op threads while generating, on both sides (0: the engine's count): in process
   * through {@code LocalGrpoLoop.Config}, in the platform as {@code r1.sampler.intra-op-threads}.
   */
  static final int DECODE_THREADS = Integer.getInteger("r1.bench.decodeThreads", 0);

  /**
   * Runs {@code body} on a thread of its own that ends with it: libgomp keeps an OpenMP pool per
   * thread that ran a libtorch operator, until that thread ends, and once the pools of a process
   * hold more threads than it has cores every operator wakes its workers from sleep instead of
   * spinning (see docs/architecture.md). Run on the test's main thread, the cold start and the
   * in-process rounds left an idle pool behind for the platform rounds (one such pool cost the
   * in-process loop ~25%); on their own threads they do not (measured: no clear change in the
   * overhead, 25-27% against 25-43% in the same phase of the machine).
   */
  private static <T> T onOwnThread(String name, java.util.concurrent.Callable<T> body)
      throws Exception {
    java.util.concurrent.atomic.AtomicReference<T> result =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Exception> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.set(body.call());
              } catch (Exception e) {
                failure.set(e);
              }
            },
            name);
    t.start();
    t.join();
    if (failure.get() != null) {
      throw failure.get();
    }
    return result.get();
  }

  @TempDir Path dir;

  @Test
  void grpoStepsPerMinuteInProcessAndOverKafka() throws Exception {
    ArithmeticTask task = PlatformFixtures.task();
    Path base = dir.resolve("tiny-arith");
    onOwnThread(
        "bench-cold-start",
        () -> {
          PlatformFixtures.coldStart(task, PlatformFixtures.prompts(), task.heldOut(20), base);
          return null;
        });
    if (DECODE_THREADS > 0) {
      // the platform's sampler contexts read it from the system properties (no argument sets it)
      System.setProperty("r1.sampler.intra-op-threads", Integer.toString(DECODE_THREADS));
    }

    // Rounds of the same steps in one process and over Kafka, alternating so that drifts of the
    // machine hit both sides; the first round only warms up: a platform that has been up a while
    // runs JIT-compiled Kafka, Jackson and Spring code, which the first jobs of a fresh JVM compile
    // while they train (0.72-0.80 s/step against 0.62-0.65 for the same job run again).
    int rounds = Math.max(2, Integer.getInteger("r1.bench.rounds", 3));
    if (Boolean.getBoolean("r1.bench.extraTeam")) {
      Thread t =
          new Thread(
              () -> {
                try (NDManager m = NDManager.newBaseManager()) {
                  var a = m.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(512, 512));
                  a.matMul(a).sum().getFloat();
                  Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "extra-omp-team");
      t.setDaemon(true);
      t.start();
      Thread.sleep(2000);
    }
    if (Boolean.getBoolean("r1.bench.inProcessOnly")) {
      for (int round = 1; round <= rounds; round++) {
        double[] r = onOwnThread("bench-in-process", () -> inProcess(task, base, STEPS));
        System.out.printf(
            "BENCH in-process only: %.3f s/step; median step: generation %.0f ms, update %.0f ms%n",
            r[0], 1000 * r[4], 1000 * r[5]);
      }
      return;
    }
    List<Double> locals = new ArrayList<>();
    List<Double> syncs = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      String label = round == 1 ? "warm-up" : "round " + round;
      double[] r = onOwnThread("bench-in-process", () -> inProcess(task, base, STEPS));
      System.out.printf(
          "BENCH in-process (%s): %.3f s/step (%.1f steps/min): generation %.0f%%, reward %.0f%%,"
              + " update %.0f%%; median step: generation %.0f ms, update %.0f ms%n",
          label,
          r[0],
          60 / r[0],
          100 * r[1] / r[0],
          100 * r[2] / r[0],
          100 * r[3] / r[0],
          1000 * r[4],
          1000 * r[5]);
      double sync = overKafka(base, 1, 0, round == 1 ? "sync-warm-up" : "sync-" + round, STEPS);
      if (round > 1) {
        locals.add(r[0]);
        syncs.add(sync);
      }
    }
    double local = median(locals);
    double sync = median(syncs);
    // each round's pair ran back to back, so its ratio is less exposed to the machine's drift
    List<Double> shares = new ArrayList<>();
    StringBuilder perRound = new StringBuilder();
    for (int i = 0; i < locals.size(); i++) {
      double share = (syncs.get(i) - locals.get(i)) / syncs.get(i);
      shares.add(share);
      perRound.append(perRound.length() == 0 ? "" : ", ").append(Math.round(100 * share) + "%");
    }
    System.out.printf(
        "BENCH Kafka overhead (sync, 1 sampler, steady state, median of %d rounds): in-process"
            + " %.3f s/step, over Kafka %.3f s/step: %.0f%% of step time; per round %s (median"
            + " %.0f%%)%n",
        locals.size(), local, sync, 100 * (sync - local) / sync, perRound, 100 * median(shares));
    if (Boolean.parseBoolean(System.getProperty("r1.bench.async", "true"))) {
      double async1 = overKafka(base, 1, 1, "async-1", STEPS);
      System.out.printf(
          "BENCH async (1 sampler, max_staleness 1) against in-process: %+.0f%% step time%n",
          100 * (async1 - local) / local);
      overKafka(base, 2, 1, "async-2", STEPS);
    }
  }

  /**
   * The same GRPO steps in one process (LocalGrpoLoop); returns seconds per step and the seconds
   * per step spent generating, scoring and updating.
   */
  private static double[] inProcess(ArithmeticTask task, Path base, int steps) throws Exception {
    double sample = 0;
    double score = 0;
    double update = 0;
    try (Tokenizer tok = Tokenizer.load(base);
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(base, root, DataType.FLOAT32);
        RewardRunner rewards =
            RewardRunner.of(PlatformFixtures.rewardSpec(), RewardRegistry.builtins(), 2);
        GrpoTrainer trainer =
            new GrpoTrainer(
                model, null, TinyArithmeticRecipe.grpoConfig(tok.padTokenId(), steps), root)) {
      LocalGrpoLoop loop =
          new LocalGrpoLoop(
              model,
              tok,
              PlatformFixtures.prompts(),
              rewards,
              trainer,
              new LocalGrpoLoop.Config(
                  steps,
                  PlatformFixtures.PROMPTS,
                  PlatformFixtures.GROUP,
                  PlatformFixtures.MAX_NEW,
                  TinyArithmeticRecipe.TEMPERATURE,
                  7,
                  DECODE_THREADS));
      Counters c0 = Counters.now();
      Map<String, Double> cpu0 = threadCpu();
      long t0 = System.nanoTime();
      List<Double> samples = new ArrayList<>();
      List<Double> updates = new ArrayList<>();
      for (LocalGrpoLoop.StepReport r : loop.run(root, task.train(2400), null)) {
        sample += r.sampleSeconds();
        score += r.scoreSeconds();
        update += r.metrics().updateSeconds();
        samples.add(r.sampleSeconds());
        updates.add(r.metrics().updateSeconds());
      }
      double perStep = (System.nanoTime() - t0) / 1e9 / steps;
      System.out.printf("BENCH in-process %s%n", Counters.now().perStepSince(c0, steps));
      printThreadCpu("in-process", cpu0, threadCpu(), steps);
      return new double[] {
        perStep, sample / steps, score / steps, update / steps, median(samples), median(updates)
      };
    }
  }

  private double overKafka(Path base, int samplers, int staleness, String name, int steps)
      throws Exception {
    String jobId = "bench-" + name + "-" + UUID.randomUUID().toString().substring(0, 6);
    try (LocalPlatform platform =
        LocalPlatform.start(new LocalPlatform.Options(dir.resolve(name), null, samplers))) {
      platform.installBaseModel("tiny-arith", base);
      Counters c0 = Counters.now();
      Map<String, Double> cpu0 = threadCpu();
      long t0 = System.nanoTime();
      PlatformFixtures.submit(platform, jobId, steps, Map.of("max_staleness", staleness));
      JsonNode status = PlatformFixtures.awaitDone(platform, jobId, Duration.ofMinutes(20));
      double wall = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "BENCH over Kafka (%s) %s (job start-up included)%n",
          name, Counters.now().perStepSince(c0, steps));
      printThreadCpu(name, cpu0, threadCpu(), steps);
      System.out.printf("BENCH native thread names (%s): %s%n", name, nativeThreadNames());
      List<JobEvent> stepEvents =
          PlatformFixtures.read(platform, Topics.JOB_EVENTS, JobEvent.class).stream()
              .filter(e -> e.jobId().equals(jobId) && e.type() == JobEventType.STEP_METRICS)
              .toList();
      double wait =
          stepEvents.stream().mapToDouble(e -> e.metrics().getOrDefault("wait_seconds", 0.0)).sum();
      double upd =
          stepEvents.stream()
              .mapToDouble(e -> e.metrics().getOrDefault("update_seconds", 0.0))
              .sum();
      double clip =
          stepEvents.stream()
              .mapToDouble(e -> e.metrics().getOrDefault("clip_ratio_region", 0.0))
              .average()
              .orElse(Double.NaN);
      double lag =
          stepEvents.stream()
              .mapToDouble(e -> e.metrics().getOrDefault("policy_lag_mean", 0.0))
              .average()
              .orElse(Double.NaN);
      double perStep = wall / steps;
      double medianUpdate =
          median(
              stepEvents.stream()
                  .map(e -> e.metrics().getOrDefault("update_seconds", 0.0))
                  .toList());
      // steady state: from the first step's metrics to the last (no job start-up, no first load)
      double steady =
          Duration.between(
                      stepEvents.get(0).timestamp(),
                      stepEvents.get(stepEvents.size() - 1).timestamp())
                  .toNanos()
              / 1e9
              / (stepEvents.size() - 1);
      System.out.printf(
          "BENCH over Kafka (%s): steady state %.3f s/step; job start-up and first step %.1f s;"
              + " median step update %.0f ms%n",
          name, steady, wall - steady * (stepEvents.size() - 1), 1000 * medianUpdate);
      System.out.printf(
          "BENCH over Kafka (%s): trainer seconds per step: wait %.3f, prepare %.3f, update %.3f,"
              + " publish %.3f, schedule %.3f%n",
          name,
          wait / steps,
          sum(stepEvents, "prepare_seconds") / steps,
          upd / steps,
          sum(stepEvents, "publish_seconds") / steps,
          sum(stepEvents, "schedule_seconds") / steps);
      System.out.printf(
          "BENCH over Kafka (%s, %d sampler(s), max_staleness %d): %.2f s/step (%.1f steps/min),"
              + " trainer idle %.0f%%, update %.0f%%, clip ratio %.4f, policy lag %.2f, state %s%n",
          name,
          samplers,
          staleness,
          perStep,
          60 / perStep,
          100 * wait / wall,
          100 * upd / wall,
          clip,
          lag,
          status.get("state").asText());
      timeline(platform, jobId, name, steps);
      return steady;
    }
  }

  private static <T extends VersionedMessage> List<PlatformFixtures.Stamped<T>> readStamped(
      LocalPlatform platform, String topic, Class<T> type) {
    return PlatformFixtures.readStamped(platform.bootstrapServers(), topic, type, false);
  }

  /**
   * Where a step's time goes between the services, from the times the producers stamped on the
   * records: the trainer's update ends, the new version is published, the sampler starts and ends
   * generating, the reward service scores, the trainer starts the next update. Averages over the
   * steps after the first, in milliseconds.
   */
  private static void timeline(LocalPlatform platform, String jobId, String name, int steps) {
    Map<Long, Long> versionAt = new HashMap<>();
    for (var r : readStamped(platform, Topics.POLICY_PUBLISHED, PolicyPublished.class)) {
      if (jobId.equals(r.value().jobId())) {
        versionAt.put(r.value().version(), r.millis());
      }
    }
    Map<Long, Long> promptsAt = new HashMap<>();
    for (var r : readStamped(platform, Topics.PROMPTS, PromptTask.class)) {
      if (jobId.equals(r.value().jobId())) {
        promptsAt.merge(r.value().step(), r.millis(), Math::min);
      }
    }
    Map<String, Long> sampledGroupAt = new HashMap<>();
    Map<Long, Long> firstSampledAt = new HashMap<>();
    Map<Long, Long> genStart = new HashMap<>();
    Map<Long, Long> sampledAt = new HashMap<>();
    Map<Long, Long> versionOf = new HashMap<>();
    for (var r : readStamped(platform, Topics.SAMPLED_GROUPS, SampledGroup.class)) {
      SampledGroup g = r.value();
      if (jobId.equals(g.jobId())) {
        long step = g.task().step();
        genStart.merge(step, r.millis() - g.timings().generationMillis(), Math::min);
        sampledGroupAt.put(g.groupId(), r.millis());
        firstSampledAt.merge(step, r.millis(), Math::min);
        sampledAt.merge(step, r.millis(), Math::max);
        versionOf.merge(step, g.policyVersion(), Math::max);
      }
    }
    Map<Long, Long> scoredAt = new HashMap<>();
    Map<Long, Long> firstScoredAt = new HashMap<>();
    List<Long> groupHops = new ArrayList<>();
    for (var r : readStamped(platform, Topics.SCORED_GROUPS, ScoredGroup.class)) {
      if (jobId.equals(r.value().jobId())) {
        scoredAt.merge(r.value().group().task().step(), r.millis(), Math::max);
        firstScoredAt.merge(r.value().group().task().step(), r.millis(), Math::min);
        Long sampled = sampledGroupAt.get(r.value().groupId());
        if (sampled != null) {
          groupHops.add(r.millis() - sampled);
        }
      }
    }
    groupHops.sort(null);
    if (!groupHops.isEmpty()) {
      System.out.printf(
          "BENCH sampled -> scored per group (%s): median %d ms, p90 %d ms, max %d ms%n",
          name,
          groupHops.get(groupHops.size() / 2),
          groupHops.get(groupHops.size() * 9 / 10),
          groupHops.get(groupHops.size() - 1));
    }
    Map<Long, double[]> stepTimes = new HashMap<>(); // update start, update end
    for (var r : readStamped(platform, Topics.JOB_EVENTS, JobEvent.class)) {
      JobEvent e = r.value();
      if (jobId.equals(e.jobId()) && e.type() == JobEventType.STEP_METRICS) {
        double publish = 1000 * e.metrics().getOrDefault("publish_seconds", 0.0);
        double update = 1000 * e.metrics().getOrDefault("update_seconds", 0.0);
        double prepare = 1000 * e.metrics().getOrDefault("prepare_seconds", 0.0);
        double end = r.millis() - publish;
        stepTimes.put(e.step(), new double[] {end - update - prepare, end});
      }
    }
    double[] sums = new double[8];
    List<Double> generation = new ArrayList<>();
    int n = 0;
    for (long k = 1; k < steps; k++) {
      Long v = versionOf.get(k);
      double[] prev = stepTimes.get(k - 1);
      double[] cur = stepTimes.get(k);
      if (v == null || prev == null || cur == null || !versionAt.containsKey(v)) {
        continue;
      }
      long published = versionAt.get(v);
      long ready = Math.max(published, promptsAt.getOrDefault(k, published));
      sums[0] += published - prev[1]; // save, upload, register, event
      sums[1] += promptsAt.getOrDefault(k, published) - prev[1];
      sums[2] += genStart.get(k) - ready; // event and prompts to the sampler, version load
      sums[3] += sampledAt.get(k) - genStart.get(k);
      generation.add((double) (sampledAt.get(k) - genStart.get(k)));
      sums[4] += scoredAt.get(k) - sampledAt.get(k);
      sums[5] += cur[0] - scoredAt.get(k);
      sums[6] += firstScoredAt.get(k) - sampledAt.get(k);
      sums[7] += sampledAt.get(k) - firstSampledAt.get(k);
      n++;
    }
    if (n == 0) {
      return;
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] /= n;
    }
    System.out.printf(
        "BENCH timeline (%s, ms per step, %d steps): update end -> version published %.0f"
            + " (prompts sent at +%.0f); -> generation start %.0f; generation %.0f (groups sent"
            + " over the last %.0f); -> scored %.0f (first group %.0f); -> next update start"
            + " %.0f; median generation %.0f%n",
        name,
        n,
        sums[0],
        sums[1],
        sums[2],
        sums[3],
        sums[7],
        sums[4],
        sums[6],
        sums[5],
        median(generation));
  }

  /** Process-wide counters: CPU seconds, minor page faults, GC pauses (count, seconds). */
  record Counters(double cpu, long minorFaults, long gcs, double gcSeconds) {
    static Counters now() {
      double cpu =
          ((com.sun.management.OperatingSystemMXBean)
                      java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                  .getProcessCpuTime()
              / 1e9;
      long faults = -1;
      try {
        String stat = java.nio.file.Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        faults = Long.parseLong(f[7]); // minflt, field 10 of proc(5)
      } catch (Exception e) {
        // not Linux
      }
      long gcs = 0;
      double gcSeconds = 0;
      for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
        gcs += Math.max(0, gc.getCollectionCount());
        gcSeconds += Math.max(0, gc.getCollectionTime()) / 1e3;
      }
      return new Counters(cpu, faults, gcs, gcSeconds);
    }

    String perStepSince(Counters start, int steps) {
      return String.format(
          "per step: %.2f CPU s, %d minor page faults, %.1f GCs (%.0f ms)",
          (cpu - start.cpu) / steps,
          (minorFaults - start.minorFaults) / steps,
          (gcs - start.gcs) / (double) steps,
          1000 * (gcSeconds - start.gcSeconds) / steps);
    }
  }

  /** CPU seconds of each live Java thread, by name with digits folded (native time included). */
  private static Map<String, Double> threadCpu() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Double> out = new HashMap<>();
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long ns = mx.getThreadCpuTime(info.getThreadId());
      if (ns > 0) {
        out.merge(info.getThreadName().replaceAll("\\d+", "#"), ns / 1e9, Double::sum);
      }
    }
    return out;
  }

  private static void printThreadCpu(
      String name, Map<String, Double> before, Map<String, Double> after, int steps) {
    StringBuilder sb = new StringBuilder();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() / steps >= 0.002)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(
            e -> sb.append(String.format("; %s %.0f", e.getKey(), 1000 * e.getValue() / steps)));
    System.out.printf("BENCH thread CPU ms per step (%s)%s%n", name, sb);
  }

  /**
   * How many threads of this process carry each name (from /proc): libgomp's workers carry the name
   * of the thread whose pool they belong to, so a name counted once more than its Java threads
   * marks an OpenMP pool.
   */
  private static Map<String, Integer> nativeThreadNames() {
    Map<String, Integer> names = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String comm = java.nio.file.Files.readString(t.resolve("comm")).strip();
          names.merge(comm.replaceAll("\\d+", "#"), 1, Integer::sum);
        } catch (java.io.IOException e) {
          // the thread ended
        }
      }
    } catch (java.io.IOException e) {
      return Map.of();
    }
    names.values().removeIf(n -> n < 2);
    return names;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double sum(List<JobEvent> steps, String metric) {
    return steps.stream().mapToDouble(e -> e.metrics().getOrDefault(metric, 0.0)).sum();
  }
}
