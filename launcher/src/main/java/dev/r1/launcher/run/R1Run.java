package dev.r1.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1.launcher.LocalPlatform;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.task.TaskRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./r1 run}: the whole R1 pipeline on this machine. Starts the platform on the embedded
 * default (a KRaft broker in this JVM, H2, checkpoints under the work folder, all six services),
 * uploads the built-in arithmetic task as a dataset, submits a pipeline job through the gateway's
 * REST API exactly as a user would, shows a progress bar per stage, and ends with a table per stage
 * and a PNG chart.
 */
@Command(
    name = "r1 run",
    mixinStandardHelpOptions = true,
    description =
        "Run the R1 pipeline (cold-start SFT, GRPO, rejection-sampling SFT, GRPO, distillation,"
            + " evaluation) on the built-in task and tiny model, through the platform's REST API.")
public final class R1Run implements Callable<Integer> {

  @Option(names = "--quick", description = "A shorter pipeline (about 3 minutes on 2 cores).")
  boolean quick;

  @Option(
      names = "--serve",
      description = "Keep the platform up after the job (Ctrl-C stops it) and print its addresses.")
  boolean serve;

  @Option(
      names = "--work-dir",
      description = "Where checkpoints, datasets, the job database and the report go.")
  Path workDir;

  @Option(
      names = "--kafka",
      defaultValue = "${env:R1_KAFKA_BOOTSTRAP}",
      description = "An external Kafka's bootstrap servers (default: an embedded KRaft broker).")
  String kafka;

  @Option(
      names = "--db-url",
      defaultValue = "${env:R1_DB_URL}",
      description =
          "A JDBC URL for the job registry, e.g. PostgreSQL's (default: H2 in the work dir).")
  String dbUrl;

  @Option(names = "--db-user", defaultValue = "${env:R1_DB_USER}", description = "Database user.")
  String dbUser;

  @Option(
      names = "--db-password",
      defaultValue = "${env:R1_DB_PASSWORD}",
      description = "Database password.")
  String dbPassword;

  @Option(
      names = "--port",
      description = "The gateway's port (default 8080 with --serve, otherwise any free port).")
  Integer port;

  @Option(
      names = "--method",
      defaultValue = "pipeline",
      description = "The job to run: pipeline (default) or grpo.")
  String method;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed of the job.")
  long seed;

  @Option(
      names = "--no-job",
      description = "With --serve: start the platform only, submit nothing.")
  boolean noJob;

  private final PrintStream out;

  public R1Run() {
    this(System.out);
  }

  R1Run(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new R1Run()).execute(args));
  }

  /** What a finished run produced. */
  record Outcome(String jobId, String status, Path report, Path chart, List<StageResult> stages) {}

  /** One pipeline stage's evaluation, from its {@code stage_completed} event. */
  record StageResult(
      int index,
      String name,
      Double passAt1,
      Double consAtK,
      Double formatRate,
      Double languageRate,
      Double meanLength,
      Long policyVersion) {}

  @Override
  public Integer call() throws Exception {
    Outcome o = run();
    return o == null || "succeeded".equals(o.status()) ? 0 : 1;
  }

  /** Runs the platform and the job; returns what it produced (null with --no-job). */
  Outcome run() throws Exception {
    if (!Set.of("pipeline", "grpo").contains(method)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--method must be pipeline or grpo, got " + method);
    }
    long t0 = System.nanoTime();
    Path dir =
        (workDir != null
                ? workDir
                : Path.of(
                    "runs",
                    "r1-"
                        + LocalDateTime.now()
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))))
            .toAbsolutePath();
    Files.createDirectories(dir);
    quietLogs(dir.resolve("platform.log"));
    String key = "r1-local-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    int gatewayPort = port != null ? port : serve ? 8080 : 0;
    out.printf(
        "Starting the platform in %s (%s Kafka, %s) ...%n",
        dir,
        kafka == null ? "embedded KRaft" : "external",
        dbUrl == null ? "H2 job registry" : "job registry at " + dbUrl);
    LocalPlatform platform =
        LocalPlatform.start(
            new LocalPlatform.Options(
                dir,
                kafka,
                1,
                new LocalPlatform.Gateway(gatewayPort, key, dbUrl, dbUser, dbPassword),
                true));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              // the embedded broker's temporary log dirs are deleted by Kafka's own shutdown hook,
              // which races with the broker's last checkpoint writes: expected at exit, not news
              silence("org.apache.kafka", "kafka");
              platform.close();
              stopped.countDown();
            },
            "r1-run-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.printf(
        "Platform up in %s: gateway %s, Kafka %s.%n",
        Progress.duration((System.nanoTime() - t0) / 1e9),
        platform.gatewayUrl(),
        platform.bootstrapServers());
    Outcome outcome = null;
    try {
      if (!noJob) {
        outcome = submitAndFollow(platform, key, dir, t0);
      }
      if (serve) {
        out.printf(
            "%nServing. Swagger UI: %s/swagger-ui.html  Jobs page: %s/ui/index.html#key=%s%n"
                + "API key: %s   (Ctrl-C stops the platform)%n",
            platform.gatewayUrl(), platform.gatewayUrl(), key, key);
        stopped.await();
      }
    } finally {
      if (!serve) {
        platform.close();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
    return outcome;
  }

  private static void silence(String... loggers) {
    for (String name : loggers) {
      if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(ch.qos.logback.classic.Level.OFF);
      }
    }
  }

  /**
   * The services' logs go to {@code file}; the console shows progress and warnings only. The broker
   * starts before Spring configures logging, so the root level is lowered by hand first.
   */
  private static void quietLogs(Path file) {
    System.setProperty("logging.file.name", file.toString());
    System.setProperty("logging.threshold.console", "WARN");
    // the six services share one logging system: the first one's name on every line would mislead;
    // the logger names (dev.r1.trainer..., dev.r1.sampler...) tell the services apart
    System.setProperty("logging.include-application-name", "false");
    // warnings meant for operators of a long-lived deployment, not for a local run
    for (String noisy :
        List.of(
            "org.apache.kafka",
            "kafka",
            "org.flywaydb",
            "org.springdoc",
            "org.springframework.core.events",
            "org.springframework.boot.security.autoconfigure",
            "ai.djl.util.cuda")) {
      System.setProperty("logging.level." + noisy, "ERROR");
    }
    if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.ERROR); // until Spring takes over logging
    }
  }

  private Outcome submitAndFollow(LocalPlatform platform, String key, Path dir, long t0)
      throws Exception {
    GatewayClient api = new GatewayClient(platform.gatewayUrl(), key);
    // the pipeline's cold start needs the built-in task's worked solutions; a GRPO job takes the
    // task's training split uploaded as a dataset, as a user's own data would be
    String dataset =
        method.equals("pipeline")
            ? "builtin:arithmetic"
            : api.uploadDataset("arithmetic-train.jsonl", trainingRows());
    Map<String, Object> hyper = new LinkedHashMap<>();
    hyper.put("seed", seed);
    if (method.equals("pipeline")) {
      hyper.put("preset", quick ? "quick" : "default");
    } else {
      hyper.putAll(grpoHyperparameters(quick));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("method", method);
    spec.put("model", "tiny-random");
    spec.put("dataset", dataset);
    // the jobs API names the reward list "functions" (the rewards library's spec says "rewards")
    spec.put("reward", Map.of("functions", TinyArithmeticRecipe.rewardSpec().get("rewards")));
    spec.put("hyperparameters", hyper);
    JsonNode job = api.createJob(spec);
    String id = job.get("id").asText();
    out.printf("Submitted %s job %s (POST /v1/jobs, dataset %s).%n", method, id, dataset);
    boolean tty = System.console() != null && System.getenv("R1_NO_TTY") == null;
    Long total =
        job.path("hyperparameters").has("max_steps")
            ? job.path("hyperparameters").get("max_steps").asLong()
            : null;
    Progress progress = new Progress(out, tty, 15, method, total);
    String cursor = null;
    String status = job.get("status").asText();
    List<JsonNode> all = new java.util.ArrayList<>();
    while (!Set.of("succeeded", "failed", "cancelled").contains(status)) {
      Thread.sleep(1000);
      for (JsonNode e : api.eventsAfter(id, cursor)) {
        cursor = e.get("id").asText();
        all.add(e);
        progress.onEvent(e);
      }
      status = api.job(id).get("status").asText();
    }
    for (JsonNode e : api.eventsAfter(id, cursor)) {
      all.add(e);
      progress.onEvent(e);
    }
    progress.closeLine();
    JsonNode finalJob = api.job(id);
    List<StageResult> stages = stageResults(all);
    Path chart = dir.resolve("report").resolve(id + "-metrics.png");
    MetricsChart.write(api.metrics(id), method + " job " + id, chart);
    double wall = (System.nanoTime() - t0) / 1e9;
    String table = table(stages);
    Path report = dir.resolve("report").resolve(id + "-report.md");
    Files.writeString(report, report(finalJob, table, chart, wall, stages), StandardCharsets.UTF_8);
    out.println();
    if (!stages.isEmpty()) {
      out.print(table);
      accuracyGain(stages).ifPresent(out::println);
    }
    if (!"succeeded".equals(status)) {
      out.printf("Job %s ended %s: %s%n", id, status, finalJob.path("error").asText(""));
    }
    out.printf(
        "Job %s %s in %s. Chart: %s%nReport: %s%n",
        id, status, Progress.duration(wall), chart, report);
    return new Outcome(id, status, report, chart, stages);
  }

  /** The built-in arithmetic task's training split as the JSONL a user would upload. */
  static byte[] trainingRows() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (TaskRow r : TinyArithmeticRecipe.task(7).train(2000)) {
      ObjectNode row = GatewayClient.JSON.createObjectNode();
      row.put("id", r.promptId());
      row.put("question", r.question());
      row.put("answer", r.answer());
      b.writeBytes(row.toString().getBytes(StandardCharsets.UTF_8));
      b.write('\n');
    }
    return b.toByteArray();
  }

  private static Map<String, Object> grpoHyperparameters(boolean quick) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("max_steps", quick ? 20 : 60);
    h.put("group_size", 8);
    h.put("batch_prompts", 16);
    h.put("max_new_tokens", 40);
    h.put("temperature", 0.7);
    return h;
  }

  static List<StageResult> stageResults(List<JsonNode> events) {
    List<StageResult> out = new java.util.ArrayList<>();
    for (JsonNode e : events) {
      if (!"stage_completed".equals(e.path("type").asText())) {
        continue;
      }
      JsonNode m = e.path("metrics");
      java.util.regex.Matcher name =
          java.util.regex.Pattern.compile("\\(([^)]+)\\)").matcher(e.path("message").asText());
      out.add(
          new StageResult(
              m.path("stage").asInt(out.size() + 1),
              name.find() ? name.group(1) : "stage " + (out.size() + 1),
              num(m, "eval.pass_at_1"),
              num(m, "eval.cons_at_k"),
              num(m, "eval.format_rate"),
              num(m, "eval.language_rate"),
              num(m, "eval.mean_length"),
              m.has("policy_version") ? m.get("policy_version").asLong() : null));
    }
    return out;
  }

  private static Double num(JsonNode m, String key) {
    return m.has(key) && m.get(key).isNumber() ? m.get(key).asDouble() : null;
  }

  static String table(List<StageResult> stages) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "| %-2s | %-22s | %7s | %7s | %7s | %8s | %11s |%n",
            "#",
            "stage",
            "pass@1",
            "cons@k",
            "format",
            "language",
            "mean length"));
    b.append(
        "|----|------------------------|---------|---------|---------|----------|-------------|\n");
    for (StageResult s : stages) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %-2d | %-22s | %7s | %7s | %7s | %8s | %11s |%n",
              s.index(),
              s.name(),
              f(s.passAt1(), 3),
              f(s.consAtK(), 3),
              f(s.formatRate(), 3),
              f(s.languageRate(), 3),
              f(s.meanLength(), 1)));
    }
    return b.toString();
  }

  /** "pass@1 after cold start X, after GRPO Y" when both stages were evaluated. */
  static java.util.Optional<String> accuracyGain(List<StageResult> stages) {
    StageResult cold = null;
    StageResult rl = null;
    for (StageResult s : stages) {
      if (cold == null
          && s.passAt1() != null
          && (s.name().contains("sft") || s.name().contains("cold"))) {
        cold = s;
      } else if (cold != null && rl == null && s.passAt1() != null && s.name().contains("grpo")) {
        rl = s;
      }
    }
    if (cold == null || rl == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        String.format(
            Locale.ROOT,
            "Held-out pass@1: %.3f after cold start, %.3f after GRPO (%+.1f points).",
            cold.passAt1(),
            rl.passAt1(),
            100 * (rl.passAt1() - cold.passAt1())));
  }

  private static String f(Double v, int digits) {
    return v == null ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  private static String report(
      JsonNode job, String table, Path chart, double wall, List<StageResult> stages) {
    StringBuilder b = new StringBuilder();
    b.append("# ")
        .append(job.get("method").asText())
        .append(" job ")
        .append(job.get("id").asText());
    b.append("\n\nStatus: ").append(job.get("status").asText());
    b.append(String.format(Locale.ROOT, ", wall time %s.%n%n", Progress.duration(wall)));
    if (!stages.isEmpty()) {
      b.append(table).append('\n');
      accuracyGain(stages).ifPresent(s -> b.append(s).append("\n\n"));
    }
    b.append("![metrics](").append(chart.getFileName()).append(")\n");
    return b.toString();
  }
}
