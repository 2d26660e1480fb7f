package dev.r1.launcher;

import dev.r1.policy.PolicyServiceApplication;
import dev.r1.policy.storage.PolicyStore;
import dev.r1.reward.RewardServiceApplication;
import dev.r1.sampler.SamplerServiceApplication;
import dev.r1.trainer.TrainerServiceApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The platform on one machine: an embedded KRaft broker (unless an external one is given) and the
 * policy, sampler, reward and trainer services, each a Spring Boot application context in this JVM
 * on its own HTTP port.
 *
 * <p>Every service setting is passed as a command-line argument: the services' {@code
 * application.yml} files share one name on the classpath, so only arguments reach each context
 * reliably.
 */
public final class LocalPlatform implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

  private final EmbeddedKafkaKraftBroker broker;
  private final String bootstrap;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final Path workDir;
  private int policyPort;
  private int samplerPort;
  private int rewardPort;
  private int trainerPort;

  /**
   * Where the platform keeps its files and which broker it uses.
   *
   * @param workDir checkpoints, the policy store and caches go under it
   * @param kafkaBootstrap an external broker's bootstrap servers, or null for an embedded one
   * @param samplers sampler instances to start (they share the prompt partitions)
   */
  public record Options(Path workDir, String kafkaBootstrap, int samplers) {
    public Options {
      if (samplers < 1) {
        throw new IllegalArgumentException("samplers must be at least 1, got " + samplers);
      }
    }
  }

  private LocalPlatform(Options options) {
    this.workDir = options.workDir().toAbsolutePath();
    if (options.kafkaBootstrap() == null) {
      long t0 = System.nanoTime();
      broker = new EmbeddedKafkaKraftBroker(1, 1);
      broker.brokerProperty("auto.create.topics.enable", "true");
      broker.brokerProperty("message.max.bytes", String.valueOf(32 * 1024 * 1024));
      broker.afterPropertiesSet();
      bootstrap = broker.getBrokersAsString();
      log.info(
          "Started an embedded Kafka broker (KRaft) at {} in {} ms.",
          bootstrap,
          (System.nanoTime() - t0) / 1_000_000);
    } else {
      broker = null;
      bootstrap = options.kafkaBootstrap();
    }
  }

  /** Starts the broker and the services; closes what started if a later part fails. */
  public static LocalPlatform start(Options options) {
    LocalPlatform p = new LocalPlatform(options);
    try {
      p.startServices(options);
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private void startServices(Options options) {
    ConfigurableApplicationContext policy =
        run(
            PolicyServiceApplication.class,
            "policy-service",
            "--r1.policy.store-dir=" + workDir.resolve("policy-store"),
            "--r1.policy.builtin-tiny-model=true",
            "--spring.servlet.multipart.max-file-size=-1",
            "--spring.servlet.multipart.max-request-size=-1",
            "--spring.servlet.multipart.file-size-threshold=1MB",
            "--spring.mvc.problemdetails.enabled=true");
    policyPort = port(policy);
    String policyUrl = "http://127.0.0.1:" + policyPort;
    run(RewardServiceApplication.class, "reward-service", "--server.tomcat.max-swallow-size=32MB");
    for (int i = 0; i < options.samplers(); i++) {
      ConfigurableApplicationContext sampler =
          run(
              SamplerServiceApplication.class,
              "sampler-service",
              "--r1.sampler.instance-id=sampler-" + i,
              "--r1.sampler.policy-service-url=" + policyUrl,
              "--r1.sampler.cache-dir=" + workDir.resolve("sampler-cache-" + i),
              "--r1.sampler.base-model=tiny-random");
      if (i == 0) {
        samplerPort = port(sampler);
      }
    }
    trainerPort =
        port(
            run(
                TrainerServiceApplication.class,
                "trainer-service",
                "--r1.trainer.work-dir=" + workDir.resolve("trainer"),
                "--r1.trainer.policy-service-url=" + policyUrl));
    rewardPort = port(contexts.get(1));
  }

  private ConfigurableApplicationContext run(Class<?> app, String name, String... extra) {
    long t0 = System.nanoTime();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spring.application.name=" + name,
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--management.endpoints.web.exposure.include=health,info,prometheus",
                "--management.metrics.tags.application=" + name,
                "--spring.main.banner-mode=off"));
    args.addAll(List.of(extra));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(app).run(args.toArray(String[]::new));
    contexts.add(ctx);
    log.info(
        "Started {} on port {} in {} ms.", name, port(ctx), (System.nanoTime() - t0) / 1_000_000);
    return ctx;
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public String policyUrl() {
    return "http://127.0.0.1:" + policyPort;
  }

  public String samplerUrl() {
    return "http://127.0.0.1:" + samplerPort;
  }

  public String rewardUrl() {
    return "http://127.0.0.1:" + rewardPort;
  }

  public String trainerUrl() {
    return "http://127.0.0.1:" + trainerPort;
  }

  public Path workDir() {
    return workDir;
  }

  /** The policy-service's store (base models and every job's versions). */
  public PolicyStore store() {
    return new PolicyStore(workDir.resolve("policy-store"));
  }

  /**
   * Registers a Hugging Face folder as a base model that jobs can name (copied into the policy
   * store, with its manifest).
   */
  public void installBaseModel(String name, Path folder) throws IOException {
    PolicyStore store = store();
    if (store.hasModel(name)) {
      return;
    }
    Path staging = store.newStaging();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, staging.resolve(f.getFileName().toString()));
      }
    }
    store.storeModel(name, staging);
    log.info("Installed base model {} from {}.", name, folder);
  }

  @Override
  public void close() {
    for (int i = contexts.size() - 1; i >= 0; i--) {
      try {
        contexts.get(i).close();
      } catch (RuntimeException e) {
        log.warn("Closing a service context failed: {}", e.getMessage());
      }
    }
    contexts.clear();
    if (broker != null) {
      broker.destroy();
    }
  }
}
