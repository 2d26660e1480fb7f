package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: a tiny GRPO job runs for {@code -Dr1.soak.minutes} (default 30) through the broker and the
 * four services, each its own JVM (as in {@link ProcessFaultTest}) with native memory tracking on.
 * Every minute ({@code -Dr1.soak.sampleSeconds}) it samples each child's resident memory (anonymous
 * and file-backed) and thread count from {@code /proc/<pid>/status}, then forces a full GC with
 * {@code jcmd <pid> GC.run} and reads the heap left ({@code GC.heap_info}) and the memory the JVM
 * itself accounts for ({@code VM.native_memory summary}). After a warm-up ({@code
 * -Dr1.soak.warmupMinutes}, default 3) the median of the last third of the samples is compared with
 * the median of the first third: threads must stay flat and neither RSS nor the heap after GC may
 * keep growing. A table of every sample is printed; the native-memory summaries and a diff of each
 * JVM against its state at the end of the warm-up are written to {@code target/soak-logs/}. Run:
 * {@code mvn -pl launcher -am verify -Dr1.excludedGroups=none -Dgroups=bench -Dtest=SoakBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dr1.test.jvmArgs=-Dr1.soak.minutes=30}.
 */
@Tag("bench")
class SoakBench {

  private static final String TOKEN = "soak-" + UUID.randomUUID();
  private static final Pattern HEAP = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");
  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

  /** RSS may grow by this much plus 10 % between the windows. */
  private static final long RSS_SLACK_KB = 50 * 1024;

  /** The heap after a full GC may grow by this much plus 10 % between the windows. */
  private static final double HEAP_SLACK_MB = 16;

  @TempDir Path dir;

  /**
   * One sample of one child JVM.
   *
   * @param rssKb resident set ({@code VmRSS})
   * @param anonKb its anonymous part ({@code RssAnon}: heap, malloc, thread stacks)
   * @param fileKb its file-backed part ({@code RssFile}: code, mapped files)
   * @param heapUsedMb heap used right after a forced full GC
   * @param heapCommittedMb heap committed just before that GC
   * @param nmtCommittedMb all memory the JVM accounts for (NMT total committed)
   */
  record Sample(
      double minutes,
      long rssKb,
      long anonKb,
      long fileKb,
      long threads,
      double heapUsedMb,
      double heapCommittedMb,
      double nmtCommittedMb,
      long step) {}

  @Test
  void memoryAndThreadsStayFlat() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("r1.soak.minutes", "30"));
    double warmup =
        Math.min(Double.parseDouble(System.getProperty("r1.soak.warmupMinutes", "3")), minutes / 2);
    long sampleMillis = (long) (1000 * Double.parseDouble(prop("r1.soak.sampleSeconds", "60")));
    Path logs = Path.of("target", "soak-logs").toAbsolutePath();
    Files.createDirectories(logs);
    List<ProcessFaultTest.Child> children = new ArrayList<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    try {
      ProcessFaultTest.KafkaChild broker =
          new ProcessFaultTest.KafkaChild(dir.resolve("kafka"), logs);
      children.add(configure(broker));
      broker.start();
      String bootstrap = broker.bootstrap();
      ProcessFaultTest.Service policy =
          new ProcessFaultTest.Service(
              "policy-service",
              logs,
              bootstrap,
              TOKEN,
              java.util.stream.Stream.concat(
                      java.util.stream.Stream.of(
                          "--r1.policy.store-dir=" + dir.resolve("policy-store")),
                      flags(prop("r1.soak.policyArgs", "")).stream())
                  .toArray(String[]::new));
      children.add(configure(policy));
      policy.start();
      policy.awaitHealthy();
      ProcessFaultTest.Service reward =
          new ProcessFaultTest.Service("reward-service", logs, bootstrap, TOKEN);
      ProcessFaultTest.Service sampler =
          new ProcessFaultTest.Service(
              "sampler-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.sampler.policy-service-url=" + policy.url(),
              "--r1.sampler.cache-dir=" + dir.resolve("sampler-cache"));
      ProcessFaultTest.Service trainer =
          new ProcessFaultTest.Service(
              "trainer-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.trainer.work-dir=" + dir.resolve("trainer"),
              "--r1.trainer.policy-service-url=" + policy.url());
      for (ProcessFaultTest.Service s : List.of(reward, sampler, trainer)) {
        children.add(configure(s));
        s.start();
      }
      for (ProcessFaultTest.Service s : List.of(reward, sampler, trainer)) {
        s.awaitHealthy();
      }
      String jobId = "soak-" + UUID.randomUUID().toString().substring(0, 8);
      submit(bootstrap, jobId);
      HttpClient http = HttpClient.newHttpClient();
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      boolean baselined = false;
      for (int n = 0; ; n++) {
        double at = (System.nanoTime() - start) / 60e9;
        long step = step(http, trainer, jobId);
        for (ProcessFaultTest.Child c : children) {
          c.assertAlive();
          long pid = c.process.pid();
          Map<String, Long> status = procStatus(pid); // before the forced GC
          double[] heap = heapAfterGc(pid);
          String nmt = jcmd(pid, "VM.native_memory", "summary");
          Files.writeString(logs.resolve(c.name + "-nmt-" + n + ".txt"), nmt);
          Matcher total = NMT_TOTAL.matcher(nmt);
          samples
              .computeIfAbsent(c.name, k -> new ArrayList<>())
              .add(
                  new Sample(
                      at,
                      status.getOrDefault("VmRSS", -1L),
                      status.getOrDefault("RssAnon", -1L),
                      status.getOrDefault("RssFile", -1L),
                      status.getOrDefault("Threads", -1L),
                      heap[0],
                      heap[1],
                      total.find() ? Long.parseLong(total.group(2)) / 1024.0 : Double.NaN,
                      step));
          if (!baselined && at >= warmup) {
            jcmd(pid, "VM.native_memory", "baseline");
          }
        }
        baselined |= at >= warmup;
        System.out.printf("[soak %5.1f min] step %d%n", at, step);
        if (System.nanoTime() > end) {
          break;
        }
        long next = start + (n + 1) * sampleMillis * 1_000_000L;
        Thread.sleep(Math.max(1000, (next - System.nanoTime()) / 1_000_000));
      }
      for (ProcessFaultTest.Child c : children) {
        Files.writeString(
            logs.resolve(c.name + "-nmt-diff.txt"),
            jcmd(c.process.pid(), "VM.native_memory", "summary.diff"));
      }
      List<String> problems = new ArrayList<>();
      String report =
          report(minutes, warmup, jobId, samples, problems)
              + storeSize(dir.resolve("policy-store").resolve("jobs").resolve(jobId));
      System.out.print(report);
      System.out.println(
          "==== policy-service native memory since the warm-up ====\n"
              + Files.readString(logs.resolve("policy-service-nmt-diff.txt")));
      Files.writeString(logs.resolve("soak-report.txt"), report);
      List<Sample> t = samples.get("trainer-service");
      assertThat(t.get(t.size() - 1).step()).as("the job kept training").isPositive();
      assertThat(problems).as(report).isEmpty();
    } catch (Throwable t) {
      for (ProcessFaultTest.Child c : children) {
        System.out.println("==== tail of " + c.logFile() + " ====\n" + c.tail(40));
      }
      throw t;
    } finally {
      for (int i = children.size() - 1; i >= 0; i--) {
        children.get(i).stop();
      }
    }
  }

  /**
   * The table of every sample and, per child, the post-warm-up windows compared: the first third of
   * the samples after the warm-up against the last third. Adds each failed check to {@code
   * problems}.
   */
  static String report(
      double minutes,
      double warmup,
      String jobId,
      Map<String, List<Sample>> samples,
      List<String> problems) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "Soak of %.1f min, job %s; warm-up %.1f min; load average %s%n",
            minutes, jobId, warmup, loadAverage()));
    out.append(
        String.format(
            "%-16s %6s %6s %8s %8s %8s %7s %9s %9s %9s%n",
            "service",
            "min",
            "step",
            "rss MB",
            "anon MB",
            "file MB",
            "threads",
            "heap MB",
            "commit MB",
            "nmt MB"));
    for (var e : samples.entrySet()) {
      for (Sample s : e.getValue()) {
        out.append(
            String.format(
                "%-16s %6.1f %6d %8d %8d %8d %7d %9.1f %9.1f %9.1f%n",
                e.getKey(),
                s.minutes(),
                s.step(),
                s.rssKb() / 1024,
                s.anonKb() / 1024,
                s.fileKb() / 1024,
                s.threads(),
                s.heapUsedMb(),
                s.heapCommittedMb(),
                s.nmtCommittedMb()));
      }
    }
    out.append(
        "(rss, anon, file: before the forced GC; heap MB: used right after it; commit MB: heap"
            + " committed before it; nmt MB: all memory the JVM tracks, after it)\n");
    out.append("After the warm-up, first third of the samples vs last third (medians):\n");
    for (var e : samples.entrySet()) {
      List<Sample> after = e.getValue().stream().filter(s -> s.minutes() >= warmup).toList();
      if (after.size() < 2) {
        problems.add(e.getKey() + " has fewer than 2 samples after the warm-up");
        continue;
      }
      int third = Math.max(1, after.size() / 3);
      List<Sample> first = after.subList(0, third);
      List<Sample> last = after.subList(after.size() - third, after.size());
      double rss0 = median(first, s -> s.rssKb() / 1024.0);
      double rss1 = median(last, s -> s.rssKb() / 1024.0);
      double heap0 = median(first, Sample::heapUsedMb);
      double heap1 = median(last, Sample::heapUsedMb);
      double nmt0 = median(first, Sample::nmtCommittedMb);
      double nmt1 = median(last, Sample::nmtCommittedMb);
      long threads0 = first.stream().mapToLong(Sample::threads).max().orElse(0);
      long threads1 = last.stream().mapToLong(Sample::threads).max().orElse(0);
      out.append(
          String.format(
              "  %-16s rss %.0f -> %.0f MB, heap after GC %.1f -> %.1f MB, nmt %.0f -> %.0f MB,"
                  + " threads (max) %d -> %d%n",
              e.getKey(), rss0, rss1, heap0, heap1, nmt0, nmt1, threads0, threads1));
      if (threads1 > threads0 + 5) {
        problems.add(e.getKey() + " threads grew " + threads0 + " -> " + threads1);
      }
      if (rss1 > rss0 * 1.1 + RSS_SLACK_KB / 1024.0) {
        problems.add(String.format("%s RSS grew %.0f -> %.0f MB", e.getKey(), rss0, rss1));
      }
      if (heap1 > heap0 * 1.1 + HEAP_SLACK_MB) {
        problems.add(
            String.format("%s heap after GC grew %.1f -> %.1f MB", e.getKey(), heap0, heap1));
      }
    }
    List<Sample> t = samples.get("trainer-service");
    out.append("  trainer steps: ").append(t.get(t.size() - 1).step()).append('\n');
    return out.toString();
  }

  /**
   * Turns on native memory tracking in a child and adds {@code -Dr1.soak.childJvmFlags} and the
   * {@code NAME=value} pairs of {@code -Dr1.soak.childEnv} (both space-separated).
   */
  private static <C extends ProcessFaultTest.Child> C configure(C c) {
    c.jvmFlags.add("-XX:NativeMemoryTracking=summary");
    c.jvmFlags.addAll(flags(prop("r1.soak.childJvmFlags", "")));
    for (String kv : flags(prop("r1.soak.childEnv", ""))) {
      c.env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    return c;
  }

  /** How many versions the policy-service keeps on disk for the job, and their size. */
  private static String storeSize(Path jobDir) throws IOException {
    if (!Files.isDirectory(jobDir)) {
      return "  policy store: no versions on disk\n";
    }
    long versions;
    long bytes;
    try (var s = Files.list(jobDir)) {
      versions = s.filter(p -> p.getFileName().toString().matches("v\\d+")).count();
    }
    try (var s = Files.walk(jobDir)) {
      bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    return String.format(
        "  policy store: %d versions of the job on disk (%.1f MB)%n", versions, bytes / 1e6);
  }

  /**
   * The median: one sample taken while G1 had grown the heap for a burst (it shrinks again at the
   * next forced GC) does not move it; a lasting step does.
   */
  private static double median(List<Sample> list, java.util.function.ToDoubleFunction<Sample> f) {
    double[] v = list.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String prop(String name, String def) {
    return System.getProperty(name, def);
  }

  private static List<String> flags(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static Map<String, Long> procStatus(long pid) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      String[] kv = line.split(":\\s+", 2);
      if (kv.length == 2 && Set.of("VmRSS", "RssAnon", "RssFile", "Threads").contains(kv[0])) {
        out.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
      }
    }
    return out;
  }

  /**
   * Returns {heap used MB right after a forced full GC, heap committed MB just before it}: the
   * committed size is what the JVM sized the heap to since the last sample (a full GC shrinks it).
   */
  private static double[] heapAfterGc(long pid) {
    Matcher before = HEAP.matcher(jcmd(pid, "GC.heap_info"));
    double committed = before.find() ? Long.parseLong(before.group(1)) / 1024.0 : Double.NaN;
    jcmd(pid, "GC.run");
    Matcher m = HEAP.matcher(jcmd(pid, "GC.heap_info"));
    return new double[] {m.find() ? Long.parseLong(m.group(2)) / 1024.0 : Double.NaN, committed};
  }

  /** Runs {@code jcmd <pid> <command...>} and returns its output ("" when it fails). */
  private static String jcmd(long pid, String... command) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static long step(HttpClient http, ProcessFaultTest.Service trainer, String jobId) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(trainer.url() + "/v1/trainer/jobs/" + jobId))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(r.body())
            .get("step")
            .asLong();
      }
    } catch (IOException | InterruptedException e) {
      // not answering
    }
    return -1;
  }

  private static void submit(String bootstrap, String jobId) throws Exception {
    Map<String, Object> hyper =
        Map.ofEntries(
            Map.entry("group_size", 4),
            Map.entry("batch_prompts", 4),
            Map.entry("max_steps", 1_000_000),
            Map.entry("max_new_tokens", 16),
            Map.entry("max_staleness", 1),
            Map.entry("dynamic_sampling", false),
            Map.entry("mask_truncated", false),
            Map.entry("digits", 3), // enough distinct problems for the 20,000 rows a long job takes
            Map.entry("seed", 9),
            Map.entry("system_prompt", ""),
            Map.entry("checkpoint_every", 50));
    JobSubmitted job =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            jobId,
            "grpo",
            "tiny-random",
            "builtin-arithmetic",
            "builtin:arithmetic",
            Map.of("rewards", List.of(Map.of("name", "format", "weight", 1.0))),
            hyper,
            "soak",
            Instant.now());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.JOBS, Keys.of(job), Json.encode(job))).get();
    }
  }
}
