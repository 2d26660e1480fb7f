package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No dead panels: every metric a Grafana dashboard query names (deploy/grafana/dashboards) is in
 * the /actuator/prometheus output of a running service after a short job, with the labels the query
 * selects and groups by. The policy, sampler, reward and trainer services run in this JVM ({@link
 * LocalPlatform}); the gateway runs from its exec jar in a child JVM on the same broker. A two-step
 * GRPO job on a random tiny model runs through them, and one poison prompt exercises the
 * dead-letter counter. Every scraped series carries the common {@code application} tag.
 */
class DashboardMetricsCoverageTest {

  private static final String API_KEY = "r1-dashboard-coverage-" + UUID.randomUUID();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir Path dir;

  /** Series per metric name: each series' labels. */
  record Scrape(Map<String, List<Map<String, String>>> series) {
    boolean has(String metric) {
      return series.containsKey(metric);
    }

    List<Map<String, String>> of(String metric) {
      return series.getOrDefault(metric, List.of());
    }
  }

  @Test
  void everyDashboardMetricIsExportedAfterAShortJob() throws Exception {
    Path model = dir.resolve("tiny-arith");
    TinyTokenizerFactory.write(model);
    try (NDManager root = NDManager.newBaseManager();
        CausalLm lm =
            CausalLm.random(TinyArithmeticRecipe.modelConfig(), 11, root, DataType.FLOAT32)) {
      lm.save(model);
    }
    try (LocalPlatform platform =
            LocalPlatform.start(new LocalPlatform.Options(dir.resolve("platform"), null, 1));
        GatewayProcess gateway = GatewayProcess.start(platform.bootstrapServers(), dir)) {
      platform.installBaseModel("tiny-arith", model);
      String jobId = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
      submit(platform, jobId);
      poisonPrompt(platform);
      JsonNode status = PlatformFixtures.awaitDone(platform, jobId, Duration.ofMinutes(10));
      assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");

      Map<String, String> endpoints = new LinkedHashMap<>();
      endpoints.put("policy-service", platform.policyUrl());
      endpoints.put("sampler-service", platform.samplerUrl());
      endpoints.put("reward-service", platform.rewardUrl());
      endpoints.put("trainer-service", platform.trainerUrl());
      endpoints.put("gateway", gateway.url());
      Map<String, List<Map<String, String>>> all = new TreeMap<>();
      HttpClient http = HttpClient.newHttpClient();
      for (int round = 0; round < 2; round++) { // the second round sees the first's HTTP metrics
        all.clear();
        for (var e : endpoints.entrySet()) {
          String token = e.getKey().equals("gateway") ? API_KEY : platform.actuatorToken();
          String text = scrape(http, e.getValue() + "/actuator/prometheus", token);
          Map<String, List<Map<String, String>>> one = parse(text);
          assertThat(one).as(e.getKey() + " exports metrics").isNotEmpty();
          one.forEach(
              (name, list) -> {
                for (Map<String, String> labels : list) {
                  assertThat(labels.get("application"))
                      .as("%s %s%s carries the application tag", e.getKey(), name, labels)
                      .isEqualTo(e.getKey());
                }
                all.computeIfAbsent(name, k -> new ArrayList<>()).addAll(list);
              });
        }
      }
      Scrape scrape = new Scrape(all);
      List<String> problems = check(scrape);
      assertThat(problems).as("dashboard queries without data").isEmpty();
    }
  }

  private static String scrape(HttpClient http, String url, String token) throws Exception {
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(url).isEqualTo(200);
    return res.body();
  }

  /** Prometheus text exposition: sample name and labels of every series. */
  static Map<String, List<Map<String, String>>> parse(String text) {
    Map<String, List<Map<String, String>>> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
    }
    return out;
  }

  /** Every dashboard query's metrics, matchers and grouping labels against the scrape. */
  static List<String> check(Scrape scrape) throws IOException {
    List<String> problems = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    Path folder = repoRoot().resolve("deploy/grafana/dashboards");
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).as(folder.toString()).isNotEmpty();
    Set<String> checked = new TreeSet<>();
    for (Path f : files) {
      JsonNode d = json.readTree(f.toFile());
      for (JsonNode v : d.path("templating").path("list")) {
        Matcher lv =
            Pattern.compile("label_values\\((\\w+),\\s*(\\w+)\\)")
                .matcher(v.path("query").path("query").asText(v.path("query").asText()));
        if (lv.matches()) {
          String where = f.getFileName() + " variable " + v.path("name").asText();
          checkSelector(scrape, where, new PromQl.Selector(lv.group(1), List.of()), problems);
          if (scrape.of(lv.group(1)).stream().noneMatch(l -> l.containsKey(lv.group(2)))) {
            problems.add(where + ": no " + lv.group(1) + " series has label " + lv.group(2));
          }
        }
      }
      for (JsonNode p : d.path("panels")) {
        for (JsonNode t : p.path("targets")) {
          String expr = t.path("expr").asText();
          String where = f.getFileName() + " panel '" + p.path("title").asText() + "'";
          PromQl.Query q = PromQl.parse(expr);
          if (q.selectors().isEmpty()) {
            problems.add(where + ": no metric in " + expr);
          }
          for (PromQl.Selector s : q.selectors()) {
            checkSelector(scrape, where, s, problems);
            checked.add(s.metric());
          }
          for (String label : q.groupingLabels()) {
            boolean present =
                q.selectors().stream()
                    .anyMatch(
                        s -> scrape.of(s.metric()).stream().anyMatch(l -> l.containsKey(label)));
            if (!present) {
              problems.add(where + ": groups by '" + label + "', which none of its metrics has");
            }
          }
        }
      }
    }
    System.out.println("Dashboard metrics found in the services' scrapes: " + checked);
    assertThat(checked).hasSizeGreaterThan(30);
    return problems;
  }

  private static void checkSelector(
      Scrape scrape, String where, PromQl.Selector s, List<String> problems) {
    if (!scrape.has(s.metric())) {
      problems.add(where + ": metric " + s.metric() + " is not exported by any service");
      return;
    }
    for (PromQl.Matcher m : s.matchers()) {
      List<Map<String, String>> series = scrape.of(s.metric());
      if (series.stream().noneMatch(l -> l.containsKey(m.label()))) {
        problems.add(where + ": " + s.metric() + " has no label " + m.label());
      } else if (m.op().equals("=")
          && !m.value().contains("$")
          && series.stream().noneMatch(l -> m.value().equals(l.get(m.label())))) {
        problems.add(where + ": no " + s.metric() + " series with " + m.label() + "=" + m.value());
      } else if (m.op().equals("!=")
          && series.stream()
              .noneMatch(l -> l.containsKey(m.label()) && !m.value().equals(l.get(m.label())))) {
        problems.add(where + ": no " + s.metric() + " series with " + m.label() + "!=" + m.value());
      }
    }
  }

  static Path repoRoot() {
    String root = System.getProperty("r1.root");
    Path p = root != null ? Path.of(root) : Path.of("..");
    return p.toAbsolutePath().normalize();
  }

  /** A two-step GRPO job on the random model whose every step runs an update (and so reports). */
  private static void submit(LocalPlatform platform, String jobId) throws Exception {
    Map<String, Object> reward =
        Map.of(
            "rewards",
            List.of(
                Map.of("name", "accuracy", "weight", 1.0),
                Map.of("name", "format", "weight", 0.2),
                Map.of("name", "repetition", "weight", 0.1)));
    Map<String, Object> hyper =
        Map.ofEntries(
            Map.entry("group_size", 4),
            Map.entry("batch_prompts", 4),
            Map.entry("max_steps", 2),
            Map.entry("max_new_tokens", 12),
            Map.entry("max_staleness", 0),
            Map.entry("beta", 0.04), // KL to the reference is reported only with beta > 0
            Map.entry("dynamic_sampling", false), // random rewards may all be equal
            Map.entry("mask_truncated", false), // random completions rarely stop
            Map.entry("digits", 1),
            Map.entry("seed", 3),
            Map.entry("system_prompt", ""),
            Map.entry("checkpoint_every", 1));
    JobSubmitted job =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            jobId,
            "grpo",
            "tiny-arith",
            "builtin-arithmetic",
            "builtin:arithmetic",
            reward,
            hyper,
            "metrics-test",
            Instant.now());
    send(platform, Topics.JOBS, Keys.of(job), Json.encode(job));
  }

  /** Not JSON: the sampler dead-letters it (r1_dead_letters_total) and moves on. */
  private static void poisonPrompt(LocalPlatform platform) throws Exception {
    send(platform, Topics.PROMPTS, "poison:1", "not json".getBytes(StandardCharsets.UTF_8));
  }

  private static void send(LocalPlatform platform, String topic, String key, byte[] value)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** The gateway's exec jar in a child JVM (its classpath would change the other services'). */
  static final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private GatewayProcess(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    static GatewayProcess start(String bootstrap, Path dir) throws Exception {
      Path jar = jar();
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = dir.resolve("gateway.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx512m",
                  "-jar",
                  jar.toString(),
                  "--server.port=" + port,
                  "--spring.kafka.bootstrap-servers=" + bootstrap,
                  "--r1.gateway.bootstrap-api-key=" + API_KEY,
                  "--r1.gateway.data-dir=" + dir.resolve("gateway-data"),
                  "--r1.gateway.models-dir=" + dir.resolve("gateway-models"),
                  "--management.endpoints.web.exposure.include=health,info,prometheus",
                  "--spring.main.banner-mode=off")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      GatewayProcess g = new GatewayProcess(p, port);
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new AssertionError("the gateway exited (" + p.exitValue() + "): " + tail(log));
        }
        try {
          HttpResponse<String> res =
              http.send(
                  HttpRequest.newBuilder(URI.create(g.url() + "/actuator/health")).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (res.statusCode() == 200) {
            return g;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(1000);
      }
      g.close();
      throw new AssertionError("the gateway did not become healthy in 3 minutes: " + tail(log));
    }

    /** -Dr1.gateway.jar, else the reactor's gateway/target, else the local Maven repository. */
    private static Path jar() {
      String version = System.getProperty("r1.version", "0.1.0-SNAPSHOT");
      String name = "gateway-" + version + "-exec.jar";
      List<Path> candidates = new ArrayList<>();
      if (System.getProperty("r1.gateway.jar") != null) {
        candidates.add(Path.of(System.getProperty("r1.gateway.jar")));
      }
      candidates.add(repoRoot().resolve("gateway/target").resolve(name));
      candidates.add(
          Path.of(System.getProperty("user.home"), ".m2/repository/dev/r1/gateway", version, name));
      return candidates.stream()
          .filter(Files::isRegularFile)
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no gateway exec jar at "
                          + candidates
                          + "; build it first: mvn -pl gateway -am package -DskipTests"));
    }

    private static String tail(Path log) {
      try {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
