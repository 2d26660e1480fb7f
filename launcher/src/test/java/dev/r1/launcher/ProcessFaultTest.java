package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.GroupRef;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.contracts.TrainingBatch;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill anything mid-job and lose nothing. A Kafka broker (KRaft, broker and controller in one
 * process) and the policy, sampler, reward and trainer services each run as their own JVM, the
 * services from their exec jars. A 12-step GRPO job on the untrained tiny-random model runs through
 * them while the test kills (SIGKILL) the sampler after step 2, the reward-service after step 4 and
 * the trainer after step 7, restarting each at once, and stops (SIGTERM) and restarts the broker
 * after step 9. The job must still succeed, and the records on the topics must show that:
 *
 * <ul>
 *   <li>every step 0..11 fed exactly one update, except the steps between the trainer's last
 *       checkpoint and its crash, which the resumed trainer trained again from that checkpoint (the
 *       crashed run's updates of those steps are discarded with its weights);
 *   <li>every scheduled prompt group ({@code s<step>-p<i>}) was trained exactly once in the final
 *       run, in its own step's batch;
 *   <li>policy versions count up from 1 without gaps;
 *   <li>the consumers committed every record they consumed (no lag left on any group).
 * </ul>
 *
 * <p>Child logs: {@code launcher/target/fault-logs/<service>-<n>.log}.
 */
@Tag("fault")
class ProcessFaultTest {

  private static final String TOKEN = "fault-" + UUID.randomUUID();
  private static final int STEPS = 12;
  private static final int BATCH = 4;
  private static final int CHECKPOINT_EVERY = 2;
  private static final Pattern RESUMED =
      Pattern.compile("resumed from its checkpoint at step (\\d+) \\(policy version (\\d+)\\)");
  private static final Pattern BASE_ID = Pattern.compile("(s(\\d+)-p\\d+)[xr]*");

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final long t0 = System.nanoTime();
  private long phaseStart = System.nanoTime();
  private final Map<String, Double> phases = new LinkedHashMap<>();

  @Test
  void killedServicesAndARestartedBrokerLoseNoStep() throws Exception {
    Path logs = Path.of("target", "fault-logs").toAbsolutePath();
    Files.createDirectories(logs);
    List<Child> children = new ArrayList<>();
    try {
      KafkaChild broker = new KafkaChild(dir.resolve("kafka"), logs);
      children.add(broker);
      broker.start();
      String bootstrap = broker.bootstrap();
      phase("broker formatted and started");

      Service policy =
          new Service(
              "policy-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.policy.store-dir=" + dir.resolve("policy-store"),
              "--r1.policy.builtin-tiny-model=true");
      children.add(policy);
      policy.start();
      policy.awaitHealthy();
      Service reward = new Service("reward-service", logs, bootstrap, TOKEN);
      Service sampler =
          new Service(
              "sampler-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.sampler.instance-id=sampler-0",
              "--r1.sampler.policy-service-url=" + policy.url(),
              "--r1.sampler.cache-dir=" + dir.resolve("sampler-cache"),
              "--r1.sampler.base-model=tiny-random");
      Service trainer =
          new Service(
              "trainer-service",
              logs,
              bootstrap,
              TOKEN,
              "--r1.trainer.work-dir=" + dir.resolve("trainer"),
              "--r1.trainer.policy-service-url=" + policy.url(),
              "--r1.trainer.group-wait-timeout=45s");
      children.addAll(List.of(reward, sampler, trainer));
      for (Service s : List.of(reward, sampler, trainer)) {
        s.start();
      }
      for (Service s : List.of(reward, sampler, trainer)) {
        s.awaitHealthy();
      }
      phase("four services started");

      String jobId = "fault-" + UUID.randomUUID().toString().substring(0, 8);
      submit(bootstrap, jobId);
      awaitStep(trainer, jobId, 2, children);
      phase("steps 0-1 trained");

      sampler.kill();
      sampler.start();
      sampler.awaitHealthy();
      awaitStep(trainer, jobId, 4, children);
      phase("sampler killed (SIGKILL) and restarted; trained to step 4");

      reward.kill();
      reward.start();
      reward.awaitHealthy();
      awaitStep(trainer, jobId, 7, children);
      phase("reward-service killed and restarted; trained to step 7");

      trainer.kill();
      // what the crashed trainer had trained: its batches are on the topic
      long crashedSteps =
          batches(bootstrap, jobId).stream().mapToLong(TrainingBatch::step).max().orElse(-1) + 1;
      trainer.start();
      trainer.awaitHealthy();
      awaitStep(trainer, jobId, 9, children);
      phase("trainer killed after " + crashedSteps + " steps, restarted; trained to step 9");
      Matcher resumed = RESUMED.matcher(trainer.log());
      assertThat(resumed.find())
          .as("the restarted trainer logs that it resumed the job from its checkpoint")
          .isTrue();
      long checkpointStep = Long.parseLong(resumed.group(1));

      JsonNode beforeBroker = jobStatus(trainer, jobId);
      assertThat(beforeBroker.get("step").asLong())
          .as("the job has steps left to train after the broker restart")
          .isLessThan(STEPS);
      broker.stop();
      Thread.sleep(3000);
      broker.start();
      phase("broker stopped (SIGTERM) for 3 s and restarted");

      JsonNode status = awaitDone(trainer, jobId, children);
      phase("job finished");

      // ---- what the topics say ----
      assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");
      assertThat(status.get("step").asLong()).isEqualTo(STEPS);
      List<TrainingBatch> batches = batches(bootstrap, jobId);
      Map<Long, List<TrainingBatch>> byStep =
          batches.stream()
              .collect(
                  Collectors.groupingBy(TrainingBatch::step, TreeMap::new, Collectors.toList()));
      assertThat(byStep.keySet())
          .as("every step of the job fed an update (none skipped)")
          .containsExactlyElementsOf(LongStream.range(0, STEPS).boxed().toList());
      Set<Long> repeated =
          byStep.entrySet().stream()
              .filter(e -> e.getValue().size() > 1)
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(TreeSet::new));
      Set<Long> afterCheckpoint =
          LongStream.range(checkpointStep, crashedSteps)
              .boxed()
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(checkpointStep)
          .as(
              "the trainer resumed from a checkpoint (every %d steps), not from scratch",
              CHECKPOINT_EVERY)
          .isPositive()
          .isLessThanOrEqualTo(crashedSteps)
          .isGreaterThanOrEqualTo(crashedSteps - CHECKPOINT_EVERY);
      assertThat(checkpointStep % CHECKPOINT_EVERY).isZero();
      assertThat(repeated)
          .as(
              "steps with two batches are exactly those the crashed trainer trained after its"
                  + " checkpoint at step %d (it had trained %d steps): the resumed trainer"
                  + " re-trained them from the checkpoint, and no other step was repeated",
              checkpointStep, crashedSteps)
          .isEqualTo(afterCheckpoint);
      for (long s : repeated) {
        List<TrainingBatch> two = byStep.get(s);
        assertThat(two).as("step %d", s).hasSize(2);
        assertThat(baseIds(two.get(0)))
            .as("step %d was re-trained on the same scheduled prompt groups", s)
            .isEqualTo(baseIds(two.get(1)));
      }

      // the run that finished: the last batch of each step (the resumed trainer's)
      Map<String, Long> trainedIn = new TreeMap<>();
      List<Long> finalVersions = new ArrayList<>();
      for (var e : byStep.entrySet()) {
        TrainingBatch last = e.getValue().get(e.getValue().size() - 1);
        finalVersions.add(last.trainerPolicyVersion());
        assertThat(last.groups()).as("step %d", e.getKey()).hasSize(BATCH);
        for (GroupRef g : last.groups()) {
          Matcher m = BASE_ID.matcher(g.groupId());
          assertThat(m.matches()).as(g.groupId()).isTrue();
          assertThat(Long.parseLong(m.group(2)))
              .as("group %s is trained in its own step's batch", g.groupId())
              .isEqualTo(e.getKey());
          Long before = trainedIn.put(m.group(1), e.getKey());
          assertThat(before)
              .as(
                  "scheduled group %s trained twice (steps %s and %d)",
                  m.group(1), before, e.getKey())
              .isNull();
        }
      }
      assertThat(trainedIn).as("every scheduled prompt group trained once").hasSize(STEPS * BATCH);
      assertThat(finalVersions).as("versions of the final run's steps").isSorted();

      List<Long> versions =
          PlatformFixtures.read(bootstrap, Topics.POLICY_PUBLISHED, PolicyPublished.class, false)
              .stream()
              .filter(p -> p.jobId().equals(jobId))
              .map(PolicyPublished::version)
              .distinct()
              .sorted()
              .toList();
      assertThat(versions)
          .as("policy versions count up from 1 without gaps")
          .isEqualTo(LongStream.rangeClosed(1, versions.size()).boxed().toList());
      assertThat(status.get("policyVersion").asLong()).isEqualTo(versions.get(versions.size() - 1));

      // committed offsets: every consumer group consumed everything
      PlatformFixtures.assertNoLag(bootstrap, "r1-sampler", Topics.PROMPTS);
      PlatformFixtures.assertNoLag(bootstrap, "r1-reward", Topics.SAMPLED_GROUPS);
      PlatformFixtures.assertNoLag(bootstrap, "r1-trainer", Topics.SCORED_GROUPS);
      PlatformFixtures.assertNoLag(bootstrap, "r1-trainer", Topics.JOBS);
      phase("topics checked");

      // ---- what each fault showed (the numbers for the note) ----
      Map<String, Long> scoredPerId =
          PlatformFixtures.read(bootstrap, Topics.SCORED_GROUPS, ScoredGroup.class, false).stream()
              .filter(g -> g.jobId().equals(jobId))
              .collect(Collectors.groupingBy(ScoredGroup::groupId, Collectors.counting()));
      System.out.printf(
          "Fault test summary for job %s:%n"
              + "  trainer crashed after %d steps, resumed from its checkpoint at step %d (%s);"
              + " re-trained steps %s%n"
              + "  batches on the topic: %d for %d steps; policy versions 1..%d%n"
              + "  scored groups on the topic: %d records for %d group ids (%d ids scored more"
              + " than once)%n"
              + "  groups the final trainer dropped, by reason: %s%n"
              + "  phases (s): %s%n",
          jobId,
          crashedSteps,
          checkpointStep,
          resumed.group(0),
          repeated,
          batches.size(),
          STEPS,
          versions.size(),
          scoredPerId.values().stream().mapToLong(Long::longValue).sum(),
          scoredPerId.size(),
          scoredPerId.values().stream().filter(n -> n > 1).count(),
          status.get("droppedGroups"),
          phases);
    } catch (Throwable t) {
      for (Child c : children) {
        c.threadDump();
        System.out.println("==== tail of " + c.logFile() + " ====\n" + c.tail(60));
      }
      throw t;
    } finally {
      for (int i = children.size() - 1; i >= 0; i--) {
        children.get(i).stop();
      }
    }
  }

  private static Set<String> baseIds(TrainingBatch b) {
    Set<String> out = new TreeSet<>();
    for (GroupRef g : b.groups()) {
      Matcher m = BASE_ID.matcher(g.groupId());
      out.add(m.matches() ? m.group(1) : g.groupId());
    }
    return out;
  }

  private static List<TrainingBatch> batches(String bootstrap, String jobId) {
    return PlatformFixtures.read(bootstrap, Topics.TRAINING_BATCHES, TrainingBatch.class, false)
        .stream()
        .filter(b -> b.jobId().equals(jobId))
        .toList();
  }

  private void phase(String name) {
    long now = System.nanoTime();
    double s = (now - phaseStart) / 1e9;
    phases.put(name, Math.round(s * 10) / 10.0);
    System.out.printf("[fault %6.1f s] %s (%.1f s)%n", (now - t0) / 1e9, name, s);
    phaseStart = now;
  }

  /** A GRPO job on the untrained tiny model whose every step runs an update. */
  private static void submit(String bootstrap, String jobId) throws Exception {
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
            Map.entry("batch_prompts", BATCH),
            Map.entry("max_steps", STEPS),
            Map.entry("max_new_tokens", 16),
            Map.entry("max_staleness", 0),
            Map.entry("dynamic_sampling", false),
            Map.entry("mask_truncated", false),
            Map.entry("digits", 1),
            Map.entry("seed", 5),
            Map.entry("system_prompt", ""),
            Map.entry("checkpoint_every", CHECKPOINT_EVERY));
    JobSubmitted job =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            jobId,
            "grpo",
            "tiny-random",
            "builtin-arithmetic",
            "builtin:arithmetic",
            reward,
            hyper,
            "fault-test",
            Instant.now());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.JOBS, Keys.of(job), Json.encode(job))).get();
    }
  }

  private JsonNode jobStatus(Service trainer, String jobId) {
    try {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create(trainer.url() + "/v1/trainer/jobs/" + jobId))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return res.statusCode() == 200 ? json.readTree(res.body()) : null;
    } catch (IOException e) {
      return null; // down or restarting
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitStep(Service trainer, String jobId, long step, List<Child> children)
      throws Exception {
    long deadline =
        System.nanoTime() + Duration.ofMinutes(Long.getLong("r1.fault.stepMinutes", 4)).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      JsonNode s = jobStatus(trainer, jobId);
      if (s != null) {
        last = s;
        if (Set.of("failed", "cancelled").contains(s.get("state").asText())) {
          throw new AssertionError("job " + jobId + " ended early: " + s);
        }
        if (s.get("step").asLong() >= step) {
          return;
        }
      }
      for (Child c : children) {
        c.assertAlive();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("job " + jobId + " did not reach step " + step + "; last " + last);
  }

  private JsonNode awaitDone(Service trainer, String jobId, List<Child> children) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      JsonNode s = jobStatus(trainer, jobId);
      if (s != null) {
        last = s;
        if (Set.of("succeeded", "failed", "cancelled").contains(s.get("state").asText())) {
          return s;
        }
      }
      for (Child c : children) {
        c.assertAlive();
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("job " + jobId + " did not finish; last " + last);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** A child JVM that the test starts, kills and restarts; each start logs to a new file. */
  abstract static class Child {
    final String name;
    final Path logs;

    /** JVM flags added to every start (e.g. the soak's native memory tracking). */
    final List<String> jvmFlags = new ArrayList<>();

    /** Environment variables added to every start. */
    final Map<String, String> env = new LinkedHashMap<>();

    Process process;
    int starts;

    Child(String name, Path logs) {
      this.name = name;
      this.logs = logs;
    }

    abstract List<String> command();

    Path logFile() {
      return logs.resolve(name + "-" + starts + ".log");
    }

    void start() throws IOException {
      starts++;
      ProcessBuilder pb =
          new ProcessBuilder(command())
              .redirectErrorStream(true)
              .redirectOutput(logFile().toFile());
      pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
      pb.environment().put("GOMP_SPINCOUNT", "10000");
      pb.environment().put("MALLOC_ARENA_MAX", "1");
      pb.environment().putAll(env);
      process = pb.start();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after 60 s. */
    void stop() {
      if (process == null || !process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }

    /** Writes the child's threads to {@code <log>.threads} (for a hung child). */
    void threadDump() {
      if (process == null || !process.isAlive()) {
        return;
      }
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Path out = logs.resolve(name + "-" + starts + ".threads");
      try {
        new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start()
            .waitFor(30, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        System.out.println("No thread dump of " + name + ": " + e);
      }
    }

    void assertAlive() {
      if (process != null && !process.isAlive()) {
        throw new AssertionError(
            name + " exited unexpectedly (" + process.exitValue() + "): " + tail(40));
      }
    }

    String log() throws IOException {
      return Files.readString(logFile());
    }

    String tail(int n) {
      try {
        List<String> lines = Files.readAllLines(logFile());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }
  }

  /** A service from its exec jar, on a fixed port across restarts. */
  static final class Service extends Child {
    private final int port;
    private final List<String> args;

    Service(String name, Path logs, String bootstrap, String token, String... extra)
        throws IOException {
      super(name, logs);
      this.port = freePort();
      this.args = new ArrayList<>();
      args.add("--server.port=" + port);
      args.add("--spring.kafka.bootstrap-servers=" + bootstrap);
      args.add("--r1.security.actuator.token=" + token);
      args.add("--spring.main.banner-mode=off");
      args.addAll(List.of(extra));
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    List<String> command() {
      List<String> cmd =
          new ArrayList<>(
              List.of(java(), "-Xmx768m", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true"));
      cmd.addAll(jvmFlags);
      cmd.addAll(List.of("-jar", jar(name).toString()));
      cmd.addAll(args);
      return cmd;
    }

    void awaitHealthy() throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        assertAlive();
        try {
          HttpResponse<String> res =
              http.send(
                  HttpRequest.newBuilder(URI.create(url() + "/actuator/health"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (res.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(500);
      }
      throw new AssertionError(name + " did not become healthy in 3 minutes: " + tail(40));
    }

    /** -Dr1.<name>.jar, else the reactor's target folder, else the local Maven repository. */
    static Path jar(String artifact) {
      String version = System.getProperty("r1.version", "0.1.0-SNAPSHOT");
      String file = artifact + "-" + version + "-exec.jar";
      List<Path> candidates = new ArrayList<>();
      if (System.getProperty("r1." + artifact + ".jar") != null) {
        candidates.add(Path.of(System.getProperty("r1." + artifact + ".jar")));
      }
      candidates.add(DashboardMetricsCoverageTest.repoRoot().resolve(artifact + "/target/" + file));
      candidates.add(
          Path.of(
              System.getProperty("user.home"), ".m2/repository/dev/r1", artifact, version, file));
      return candidates.stream()
          .filter(Files::isRegularFile)
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no "
                          + artifact
                          + " exec jar at "
                          + candidates
                          + "; build it first: mvn -pl "
                          + artifact
                          + " -am package -DskipTests"));
    }
  }

  /**
   * A KRaft broker+controller as a process, from the Kafka jars on this JVM's classpath (brought by
   * spring-kafka-test), on fixed ports and one log dir, so it restarts with its data.
   */
  static final class KafkaChild extends Child {
    private final Path home;
    private final int port;
    private final int controllerPort;
    private boolean formatted;

    KafkaChild(Path home, Path logs) throws IOException {
      super("kafka", logs);
      this.home = home;
      this.port = freePort();
      this.controllerPort = freePort();
    }

    String bootstrap() {
      return "127.0.0.1:" + port;
    }

    private Path config() {
      return home.resolve("server.properties");
    }

    @Override
    List<String> command() {
      List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m", "-XX:TieredStopAtLevel=1"));
      cmd.addAll(jvmFlags);
      cmd.addAll(
          List.of(
              "-Dlogback.configurationFile=" + home.resolve("logback.xml"),
              "-cp",
              System.getProperty("java.class.path"),
              "kafka.Kafka",
              config().toString()));
      return cmd;
    }

    @Override
    void start() throws IOException {
      if (!formatted) {
        format();
        formatted = true;
      }
      super.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (System.nanoTime() < deadline) {
        assertAlive();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return;
        } catch (IOException notYet) {
          try {
            Thread.sleep(300);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
        }
      }
      throw new AssertionError("the Kafka broker did not listen in 2 minutes: " + tail(40));
    }

    private void format() throws IOException {
      Files.createDirectories(home);
      Files.writeString(
          config(),
          String.join(
              "\n",
              "process.roles=broker,controller",
              "node.id=1",
              "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
              "listeners=PLAINTEXT://127.0.0.1:"
                  + port
                  + ",CONTROLLER://127.0.0.1:"
                  + controllerPort,
              "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
              "controller.listener.names=CONTROLLER",
              "inter.broker.listener.name=PLAINTEXT",
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
              "log.dirs=" + home.resolve("data"),
              "num.partitions=1",
              "auto.create.topics.enable=true",
              "offsets.topic.replication.factor=1",
              "offsets.topic.num.partitions=4",
              "transaction.state.log.replication.factor=1",
              "transaction.state.log.min.isr=1",
              "group.initial.rebalance.delay.ms=0",
              "message.max.bytes=33554432",
              ""));
      // the test classpath's logback would log everything at DEBUG without a configuration
      Files.writeString(
          home.resolve("logback.xml"),
          "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
              + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern>"
              + "</encoder></appender><root level=\"INFO\"><appender-ref ref=\"out\"/></root>"
              + "</configuration>\n");
      Path log = logs.resolve("kafka-format.log");
      Process p =
          new ProcessBuilder(
                  java(),
                  "-Dlogback.configurationFile=" + home.resolve("logback.xml"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "kafka.tools.StorageTool",
                  "format",
                  "-t",
                  Uuid.randomUuid().toString(),
                  "-c",
                  config().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new AssertionError("formatting the Kafka log dir failed: " + Files.readString(log));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }
}
