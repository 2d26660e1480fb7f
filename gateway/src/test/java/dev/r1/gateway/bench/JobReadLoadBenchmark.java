package dev.r1.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.gateway.PostgresKafkaTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * Load benchmark: 200 concurrent clients (one thread each, own keep-alive connections from a shared
 * HTTP/1.1 pool) read a job's status and its events against PostgreSQL. Run with {@code
 * -Dr1.excludedGroups=none -Dgroups=bench -Dtest=JobReadLoadBenchmark}; numbers go to stdout and
 * {@code target/bench/gateway-load.txt}.
 */
@Tag("bench")
class JobReadLoadBenchmark extends PostgresKafkaTest {

  static final int CLIENTS = 200;
  static final int WARMUP = 10;
  static final int REQUESTS = 50;

  @Autowired ApplicationContext context;

  @Test
  void twoHundredClientsReadStatusAndEvents() throws Exception {
    String key = newKey("bench");
    String id = createJob(key, uploadDataset(key, 10), null).json().get("id").asText();
    Object service = context.getBean(Class.forName("dev.r1.gateway.jobs.JobService"));
    var apply = service.getClass().getDeclaredMethod("apply", JobEvent.class);
    apply.setAccessible(true);
    for (long step = 1; step <= 50; step++) {
      apply.invoke(
          service,
          new JobEvent(
              1,
              id,
              UUID.randomUUID(),
              step,
              "trainer-service",
              JobEventType.STEP_METRICS,
              EventLevel.INFO,
              "",
              Map.of("loss", 1.0 / step, "reward_mean", step / 50.0),
              step,
              Instant.now()));
    }
    String base = api.base();
    List<String> paths = List.of("/v1/jobs/" + id, "/v1/jobs/" + id + "/events?limit=20");
    HttpClient single = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long[] serial = new long[500];
    for (int i = 0; i < 100; i++) {
      call(single, base + paths.get(i % 2), key);
    }
    for (int i = 0; i < serial.length; i++) {
      long t0 = System.nanoTime();
      assertThat(call(single, base + paths.get(i % 2), key)).isEqualTo(200);
      serial[i] = System.nanoTime() - t0;
    }
    Arrays.sort(serial);
    String serialReport =
        String.format(
            "gateway load: 1 client x %d sequential requests: p50 %.2f ms, p99 %.2f ms%n",
            serial.length, serial[serial.length / 2] / 1e6, serial[serial.length * 99 / 100] / 1e6);
    long[][] latencies = new long[CLIENTS][REQUESTS];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(CLIENTS);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    for (int c = 0; c < CLIENTS; c++) {
      final int client = c;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < WARMUP; i++) {
                    call(http, base + paths.get(i % 2), key);
                  }
                  ready.countDown();
                  go.await();
                  for (int i = 0; i < REQUESTS; i++) {
                    long t0 = System.nanoTime();
                    int status = call(http, base + paths.get((i + client) % 2), key);
                    latencies[client][i] = System.nanoTime() - t0;
                    if (status != 200) {
                      errors.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  errors.incrementAndGet();
                  ready.countDown();
                }
              });
      t.start();
      threads.add(t);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double load =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    long[] all =
        Arrays.stream(latencies)
            .flatMapToLong(Arrays::stream)
            .filter(x -> x > 0)
            .sorted()
            .toArray();
    double p50 = all[(int) (all.length * 0.50)] / 1e6;
    double p99 = all[(int) (all.length * 0.99)] / 1e6;
    double max = all[all.length - 1] / 1e6;
    String report =
        String.format(
            "gateway load: %d clients x %d requests (GET job, GET events?limit=20, PostgreSQL):"
                + " %d ok, %d errors, %.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d cores, load"
                + " average %.1f%n",
            CLIENTS,
            REQUESTS,
            all.length,
            errors.get(),
            all.length / seconds,
            p50,
            p99,
            max,
            Runtime.getRuntime().availableProcessors(),
            load);
    report = serialReport + report;
    System.out.print(report);
    Path out = Path.of("target/bench/gateway-load.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    assertThat(errors.get()).isZero();
    assertThat(all.length).isEqualTo(CLIENTS * REQUESTS);
  }

  private static int call(HttpClient http, String url, String key) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return r.statusCode();
  }
}
