package dev.r1.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * Load benchmark of the job read path against PostgreSQL, client and server in this JVM. Run with
 * {@code -Dr1.excludedGroups=none -Dgroups=bench -Dtest=JobReadLoadBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; numbers go to stdout and {@code
 * target/bench/gateway-load.txt}.
 *
 * <p>Setup: {@value #JOBS} jobs of {@value #JOBS} owners, 50 step events each; while the phases run
 * a writer applies one more step event every {@value #WRITE_EVERY_MS} ms to a random job through
 * the path the Kafka listener takes, so the read cache is invalidated under load.
 *
 * <ol>
 *   <li>One client, sequential requests (the unloaded latency).
 *   <li>Pollers: {@value #CLIENTS} clients, each watching one job like the jobs page does: GET the
 *       job, then GET its events after the last one seen ({@code limit=100}, following {@code
 *       has_more}), both with {@code If-None-Match} of the last ETag as a browser sends it; then
 *       the next poll is due 1 s +- 200 ms (uniform) after the previous one was due. Polls run on
 *       that schedule whatever the responses take, and a poll's latency counts from when it was due
 *       (so a slow server cannot hide behind fewer polls). Warm-up 5 s, then 30 s measured.
 *   <li>Saturation: {@value #CLIENTS} clients in a closed loop without think time and without
 *       conditional requests (GET job, GET events?limit=20 alternately): the throughput ceiling.
 *       Warm-up 3 s, then 15 s measured.
 * </ol>
 *
 * Errors are responses other than 200/304 and failed requests. No timing assertions: the machine is
 * shared, so the numbers come with the load average.
 */
@Tag("bench")
class JobReadLoadBenchmark extends PostgresKafkaTest {

  static final int CLIENTS = 200;
  static final int JOBS = 20;
  static final long WRITE_EVERY_MS = 100;
  static final Duration POLL_PERIOD = Duration.ofMillis(1000);
  static final Duration POLL_JITTER = Duration.ofMillis(200);

  @Autowired ApplicationContext context;

  private Object service;
  private Method apply;

  record Watched(String key, String jobId) {}

  @Test
  void twoHundredClientsReadStatusAndEvents() throws Exception {
    service = context.getBean(Class.forName("dev.r1.gateway.jobs.JobService"));
    apply = service.getClass().getDeclaredMethod("apply", JobEvent.class);
    apply.setAccessible(true);
    List<Watched> jobs = new ArrayList<>();
    for (int j = 0; j < JOBS; j++) {
      String key = newKey("bench");
      String id = createJob(key, uploadDataset(key, 10), null).json().get("id").asText();
      for (long step = 1; step <= 50; step++) {
        stepEvent(id, step);
      }
      jobs.add(new Watched(key, id));
    }
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    String base = api.base();
    StringBuilder report = new StringBuilder();

    Watched first = jobs.get(0);
    List<String> mix =
        List.of(
            base + "/v1/jobs/" + first.jobId(),
            base + "/v1/jobs/" + first.jobId() + "/events?limit=20");
    for (int i = 0; i < 200; i++) {
      get(http, mix.get(i % 2), first.key(), null);
    }
    Stats serial = new Stats();
    for (int i = 0; i < 500; i++) {
      long t0 = System.nanoTime();
      int status = get(http, mix.get(i % 2), first.key(), null).statusCode();
      serial.record(System.nanoTime() - t0, status == 200);
    }
    report.append(serial.line("sequential, 1 client, 500 requests (GET job / GET events)", 0));

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong written = new AtomicLong();
    Thread writer = new Thread(() -> write(jobs, writing, written), "bench-writer");
    writer.start();
    try {
      report.append(pollers(http, base, jobs));
      report.append(saturation(http, base, jobs));
    } finally {
      writing.set(false);
      writer.join();
    }
    report.append(
        String.format(
            "writer: %d step events applied during the phases; %d cores%n",
            written.get(), Runtime.getRuntime().availableProcessors()));
    System.out.print(report);
    Path out = Path.of("target/bench/gateway-load.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
    for (Stats phase : phases) {
      assertThat(phase.errors.get()).as("errors").isZero();
      assertThat(phase.nanos).as("measured requests").isNotEmpty();
    }
  }

  /** Phase 2: UI-like pollers on a schedule. */
  private String pollers(HttpClient http, String base, List<Watched> jobs) throws Exception {
    Stats requests = new Stats();
    Stats polls = new Stats();
    AtomicInteger notModified = new AtomicInteger();
    long start = System.nanoTime() + 500_000_000L;
    long measureFrom = start + 5_000_000_000L;
    long end = measureFrom + 30_000_000_000L;
    double loadBefore = load();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      Watched w = jobs.get(c % jobs.size());
      Thread t =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long due = start + random.nextLong(POLL_PERIOD.toNanos());
                String jobTag = null;
                String eventsTag = null;
                String eventsUrl = null;
                String lastEvent = null;
                while (due < end) {
                  sleepUntil(due);
                  boolean measured = due >= measureFrom;
                  boolean ok = true;
                  try {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> job =
                        get(http, base + "/v1/jobs/" + w.jobId(), w.key(), jobTag);
                    ok &= count(job, requests, t0, measured, notModified);
                    jobTag = job.headers().firstValue("ETag").orElse(jobTag);
                    boolean more = true;
                    while (more && ok) {
                      String url =
                          base
                              + "/v1/jobs/"
                              + w.jobId()
                              + "/events?limit=100"
                              + (lastEvent == null
                                  ? ""
                                  : "&after="
                                      + URLEncoder.encode(lastEvent, StandardCharsets.UTF_8));
                      // as a browser: a tag is only sent again for the URL it came with
                      String tag = url.equals(eventsUrl) ? eventsTag : null;
                      long t1 = System.nanoTime();
                      HttpResponse<byte[]> events = get(http, url, w.key(), tag);
                      ok &= count(events, requests, t1, measured, notModified);
                      more = false;
                      if (events.statusCode() == 200) {
                        eventsUrl = url;
                        eventsTag = events.headers().firstValue("ETag").orElse(null);
                        JsonNode page = Api.JSON.readTree(events.body());
                        JsonNode data = page.get("data");
                        if (!data.isEmpty()) {
                          lastEvent = data.get(data.size() - 1).get("id").asText();
                        }
                        more = page.get("has_more").asBoolean();
                      }
                    }
                  } catch (Exception e) {
                    ok = false;
                    if (measured) {
                      requests.record(0, false);
                    }
                  }
                  if (measured) {
                    polls.record(System.nanoTime() - due, ok);
                  }
                  long jitter = random.nextLong(-POLL_JITTER.toNanos(), POLL_JITTER.toNanos() + 1);
                  due += POLL_PERIOD.toNanos() + jitter;
                }
              },
              "bench-poller-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (end - measureFrom) / 1e9;
    return requests.line(
            String.format(
                "pollers, %d clients, think time %d ms +- %d ms, %.0f s measured: requests",
                CLIENTS, POLL_PERIOD.toMillis(), POLL_JITTER.toMillis(), seconds),
            seconds)
        + String.format(
            "  %d of the requests were 304 Not Modified; load average %.1f before, %.1f after%n",
            notModified.get(), loadBefore, load())
        + polls.line("  polls (GET job + GET events, counted from when each was due)", seconds);
  }

  /** Phase 3: closed loop, no think time, no conditional requests. */
  private String saturation(HttpClient http, String base, List<Watched> jobs) throws Exception {
    Stats requests = new Stats();
    long start = System.nanoTime();
    long measureFrom = start + 3_000_000_000L;
    long end = measureFrom + 15_000_000_000L;
    double loadBefore = load();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      final int client = c;
      Watched w = jobs.get(c % jobs.size());
      List<String> urls =
          List.of(
              base + "/v1/jobs/" + w.jobId(), base + "/v1/jobs/" + w.jobId() + "/events?limit=20");
      Thread t =
          new Thread(
              () -> {
                for (int i = client; ; i++) {
                  long t0 = System.nanoTime();
                  if (t0 >= end) {
                    return;
                  }
                  boolean ok;
                  try {
                    ok = get(http, urls.get(i % 2), w.key(), null).statusCode() == 200;
                  } catch (Exception e) {
                    ok = false;
                  }
                  long t1 = System.nanoTime();
                  if (t0 >= measureFrom && t1 <= end) {
                    requests.record(t1 - t0, ok);
                  }
                }
              },
              "bench-closed-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (end - measureFrom) / 1e9;
    return requests.line(
            String.format(
                "saturation, %d clients, closed loop, no think time, %.0f s measured",
                CLIENTS, seconds),
            seconds)
        + String.format("  load average %.1f before, %.1f after%n", loadBefore, load());
  }

  private void write(List<Watched> jobs, AtomicBoolean writing, AtomicLong written) {
    long step = 51;
    while (writing.get()) {
      try {
        Thread.sleep(WRITE_EVERY_MS);
        stepEvent(jobs.get(ThreadLocalRandom.current().nextInt(jobs.size())).jobId(), step++);
        written.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        throw new IllegalStateException("the benchmark's writer failed", e);
      }
    }
  }

  private void stepEvent(String jobId, long step) throws Exception {
    apply.invoke(
        service,
        new JobEvent(
            1,
            jobId,
            UUID.randomUUID(),
            step,
            "trainer-service",
            JobEventType.STEP_METRICS,
            EventLevel.INFO,
            "",
            Map.of("loss", 1.0 / step, "reward_mean", Math.min(1.0, step / 50.0)),
            step,
            Instant.now()));
  }

  private static boolean count(
      HttpResponse<byte[]> r, Stats stats, long t0, boolean measured, AtomicInteger notModified) {
    boolean ok = r.statusCode() == 200 || r.statusCode() == 304;
    if (measured) {
      stats.record(System.nanoTime() - t0, ok);
      if (r.statusCode() == 304) {
        notModified.incrementAndGet();
      }
    }
    return ok;
  }

  private static String tagOf(HttpResponse<byte[]> r) {
    return r.headers().firstValue("ETag").orElse(null);
  }

  private static void sleepUntil(long nanoTime) {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static HttpResponse<byte[]> get(
      HttpClient http, String url, String key, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + key)
            .timeout(Duration.ofSeconds(30))
            .GET();
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private final List<Stats> phases = new ArrayList<>();

  /** Latencies and errors of one phase, collected from many threads. */
  final class Stats {
    Stats() {
      phases.add(this);
    }

    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errors = new AtomicInteger();

    void record(long latencyNanos, boolean ok) {
      if (ok) {
        nanos.add(latencyNanos);
      } else {
        errors.incrementAndGet();
      }
    }

    String line(String what, double seconds) {
      long[] all = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (all.length == 0) {
        return what + ": nothing measured, " + errors.get() + " errors\n";
      }
      return String.format(
          "%s: %d ok, %d errors,%s p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          what,
          all.length,
          errors.get(),
          seconds > 0 ? String.format(" %.0f/s,", all.length / seconds) : "",
          all[all.length / 2] / 1e6,
          all[(int) (all.length * 0.99)] / 1e6,
          all[all.length - 1] / 1e6);
    }
  }
}
