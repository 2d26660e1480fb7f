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
import java.util.UUID;
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
 * four services, each its own JVM (as in {@link ProcessFaultTest}). Every 30 s it samples each
 * child's resident memory and thread count ({@code /proc/<pid>/status}) and the heap left after the
 * last GC ({@code jvm_gc_live_data_size_bytes}); after a warm-up of a quarter of the run, threads
 * must stay flat and memory must not keep growing. Run: {@code mvn -pl launcher verify
 * -Dr1.excludedGroups=none -Dgroups=bench -Dtest=SoakBench -Dr1.test.jvmArgs=-Dr1.soak.minutes=30}.
 */
@Tag("bench")
class SoakBench {

  private static final String TOKEN = "soak-" + UUID.randomUUID();

  @TempDir Path dir;

  record Sample(double minutes, long rssKb, long threads, double liveHeapMb, long step) {}

  @Test
  void memoryAndThreadsStayFlat() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("r1.soak.minutes", "30"));
    Path logs = Path.of("target", "soak-logs").toAbsolutePath();
    Files.createDirectories(logs);
    List<ProcessFaultTest.Child> children = new ArrayList<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    try {
      ProcessFaultTest.KafkaChild broker =
          new ProcessFaultTest.KafkaChild(dir.resolve("kafka"), logs);
      children.add(broker);
      broker.start();
      String bootstrap = broker.bootstrap();
      ProcessFaultTest.Service policy =
          new ProcessFaultTest.Service(
              "policy-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.policy.store-dir=" + dir.resolve("policy-store"));
      children.add(policy);
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
      List<ProcessFaultTest.Service> services = List.of(policy, reward, sampler, trainer);
      children.addAll(List.of(reward, sampler, trainer));
      for (ProcessFaultTest.Service s : List.of(reward, sampler, trainer)) {
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
      while (true) {
        double at = (System.nanoTime() - start) / 60e9;
        long step = step(http, trainer, jobId);
        for (ProcessFaultTest.Child c : children) {
          c.assertAlive();
          Map<String, Long> status = procStatus(c.process.pid());
          double live = c instanceof ProcessFaultTest.Service s ? liveHeapMb(http, s) : Double.NaN;
          samples
              .computeIfAbsent(c.name, k -> new ArrayList<>())
              .add(
                  new Sample(
                      at, status.getOrDefault("VmRSS", -1L), status.get("Threads"), live, step));
        }
        System.out.printf(
            "[soak %5.1f min] step %d; %s%n",
            at,
            step,
            samples.entrySet().stream()
                .map(
                    e -> {
                      Sample s = e.getValue().get(e.getValue().size() - 1);
                      return String.format(
                          "%s rss %d MB threads %d live heap %.0f MB",
                          e.getKey(), s.rssKb() / 1024, s.threads(), s.liveHeapMb());
                    })
                .toList());
        if (System.nanoTime() > end) {
          break;
        }
        Thread.sleep(30_000);
      }
      // after the warm-up quarter: threads flat, memory not growing
      StringBuilder report = new StringBuilder("Soak of " + minutes + " min, job " + jobId + ":\n");
      List<String> problems = new ArrayList<>();
      for (var e : samples.entrySet()) {
        List<Sample> list = e.getValue();
        Sample warm =
            list.stream().filter(s -> s.minutes() >= minutes / 4).findFirst().orElse(list.get(0));
        Sample last = list.get(list.size() - 1);
        long maxThreads =
            list.stream()
                .filter(s -> s.minutes() >= warm.minutes())
                .mapToLong(Sample::threads)
                .max()
                .orElse(0);
        report.append(
            String.format(
                "  %-16s rss %d -> %d MB, threads %d -> %d (max %d), live heap %.0f -> %.0f MB%n",
                e.getKey(),
                warm.rssKb() / 1024,
                last.rssKb() / 1024,
                warm.threads(),
                last.threads(),
                maxThreads,
                warm.liveHeapMb(),
                last.liveHeapMb()));
        if (last.threads() > warm.threads() + 5) {
          problems.add(e.getKey() + " threads grew " + warm.threads() + " -> " + last.threads());
        }
        if (last.rssKb() > warm.rssKb() * 1.25 + 50 * 1024) {
          problems.add(e.getKey() + " RSS grew " + warm.rssKb() + " -> " + last.rssKb() + " kB");
        }
      }
      long steps =
          samples.get("trainer-service").get(samples.get("trainer-service").size() - 1).step();
      report.append("  trainer steps: ").append(steps).append('\n');
      System.out.print(report);
      assertThat(steps).as("the job kept training").isPositive();
      assertThat(problems).as(report.toString()).isEmpty();
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

  private static Map<String, Long> procStatus(long pid) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      String[] kv = line.split(":\\s+", 2);
      if (kv.length == 2 && (kv[0].equals("VmRSS") || kv[0].equals("Threads"))) {
        out.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
      }
    }
    return out;
  }

  private static double liveHeapMb(HttpClient http, ProcessFaultTest.Service s) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(s.url() + "/actuator/prometheus"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith("jvm_gc_live_data_size_bytes")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) / 1e6;
        }
      }
    } catch (IOException | InterruptedException e) {
      // reported as NaN
    }
    return Double.NaN;
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
