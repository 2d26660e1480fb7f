package dev.r1.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.Json;
import dev.r1.contracts.Topics;
import dev.r1.gateway.PostgresKafkaTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The jobs page in a real headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs
 * it): a job's step metrics, sent as worker events over the broker and stored in PostgreSQL, come
 * back as the page's charts and stage table.
 */
class JobsPageBrowserTest extends PostgresKafkaTest {

  private static final Pattern POLYLINE =
      Pattern.compile(
          "<polyline data-series=\"([^\"]+)\" data-points=\"(\\d+)\" data-last=\"([^\"]*)\"");

  @Autowired KafkaTemplate<String, byte[]> kafka;

  private long sequence;

  @Test
  void pageDrawsRewardAccuracyAndLengthChartsFromTheJobsStepMetrics() throws Exception {
    String chromium = chromium();
    assumeTrue(chromium != null, "no chromium on PATH (.ci/run installs Debian's package)");
    String key = newKey("page-user");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();
    send(id, JobEventType.RUNNING, null, Map.of(), "Job " + id + " started.");
    List<Double> rewards = new ArrayList<>();
    for (long step = 1; step <= 7; step++) {
      double reward = 0.1 * step + 0.01;
      rewards.add(reward);
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("stage", step <= 3 ? 1.0 : 2.0);
      m.put("reward_mean", reward);
      m.put("rewards.accuracy.mean", 0.05 * step);
      m.put("completion_length_mean", 30.0 - step);
      send(id, JobEventType.STEP_METRICS, step <= 3 ? step : step - 3, m, "");
    }
    send(
        id,
        JobEventType.STAGE_COMPLETED,
        null,
        Map.of("stage", 2.0, "eval.pass_at_1", 0.4375, "eval.format_rate", 1.0),
        "Stage 2 of 6 (grpo) finished.");
    awaitEvents(key, id, 9);

    String dom =
        dump(chromium, api.base() + "/ui/index.html#key=" + key + "&job=" + id, "data-ready=");

    assertThat(dom).contains("data-ready=\"running\"").doesNotContain("data-error=");
    assertThat(dom).contains("data-job=\"" + id + "\"");
    Map<String, String[]> lines = new LinkedHashMap<>();
    Matcher m = POLYLINE.matcher(dom);
    while (m.find()) {
      lines.put(m.group(1), new String[] {m.group(2), m.group(3)});
    }
    assertThat(lines)
        .containsKeys("reward_mean", "rewards.accuracy.mean", "completion_length_mean");
    assertThat(lines.get("reward_mean")[0]).isEqualTo("7");
    assertThat(Double.parseDouble(lines.get("reward_mean")[1])).isEqualTo(rewards.get(6));
    assertThat(Double.parseDouble(lines.get("completion_length_mean")[1])).isEqualTo(23.0);
    // one dashed line where stage 1 ends and stage 2 begins, in each chart
    assertThat(count(dom, "class=\"stage\"")).isEqualTo(3);
    assertThat(dom).contains("Stage 2 of 6 (grpo) finished.").contains("0.438");
  }

  @Test
  void pageAndItsScriptsAreServedWithoutAKeyButTheDataIsNot() {
    assertThat(api.get("/ui/index.html", null).status()).isEqualTo(200);
    assertThat(api.get("/ui/app.js", null).body()).contains("/v1/jobs");
    assertThat(api.get("/v1/jobs", null).status()).isEqualTo(401);
    var root = api.send(api.request("/", null).GET().build());
    assertThat(root.status()).isEqualTo(302);
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** The page's DOM after its scripts ran, retried until {@code marker} shows up. */
  private static String dump(String chromium, String url, String marker) throws Exception {
    String dom = "";
    for (int attempt = 0; attempt < 4 && !dom.contains(marker); attempt++) {
      Path profile = Files.createTempDirectory("r1-chromium-");
      ProcessBuilder pb =
          new ProcessBuilder(
                  chromium,
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-dev-shm-usage",
                  "--no-first-run",
                  "--user-data-dir=" + profile,
                  "--virtual-time-budget=" + (8000 * (attempt + 1)),
                  "--dump-dom",
                  url)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      dom = new String(out, StandardCharsets.UTF_8);
    }
    return dom;
  }

  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    return null;
  }

  private void awaitEvents(String key, String id, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode page = api.get("/v1/jobs/" + id + "/events?limit=100", key).json();
      if (page.get("data").size() >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not get " + n + " events in 30 s");
  }

  private void send(
      String jobId, JobEventType type, Long step, Map<String, Double> metrics, String message)
      throws Exception {
    JobEvent e =
        new JobEvent(
            JobEvent.SCHEMA_VERSION,
            jobId,
            UUID.randomUUID(),
            sequence++,
            "trainer-service",
            type,
            EventLevel.INFO,
            message,
            metrics,
            step,
            Instant.now());
    kafka.send(Topics.JOB_EVENTS, e.jobId(), Json.encode(e)).get();
  }
}
