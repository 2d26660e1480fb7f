package dev.r1.launcher;

import dev.r1.distill.DistillServiceApplication;
import dev.r1.gateway.GatewayApplication;
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
 * policy, sampler, reward and trainer services, optionally the distill-service and the gateway,
 * each a Spring Boot application context in this JVM on its own HTTP port.
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
  private int distillPort;
  private int gatewayPort;
  private boolean closed;
  private final String actuatorToken =
      "local-"
          + java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));

  /**
   * Where the platform keeps its files, which broker it uses and which services it starts.
   *
   * @param workDir checkpoints, the policy store and caches go under it
   * @param kafkaBootstrap an external broker's bootstrap servers, or null for an embedded one
   * @param samplers sampler instances to start (they share the prompt partitions)
   * @param gateway the gateway (jobs API) to start, or null for none
   * @param distill whether to start the distill-service (SFT, distillation, evaluation, pipelines)
   */
  public record Options(
      Path workDir, String kafkaBootstrap, int samplers, Gateway gateway, boolean distill) {
    public Options {
      if (samplers < 1) {
        throw new IllegalArgumentException("samplers must be at least 1, got " + samplers);
      }
    }

    /** The GRPO fleet only: policy, sampler(s), reward and trainer. */
    public Options(Path workDir, String kafkaBootstrap, int samplers) {
      this(workDir, kafkaBootstrap, samplers, null, false);
    }
  }

  /**
   * How to start the gateway.
   *
   * @param port its HTTP port (0: any free port)
   * @param apiKey the key the local run uses (must start with {@code r1-}); stored hashed
   * @param databaseUrl a JDBC URL (e.g. PostgreSQL's), or null for an H2 file under the work dir
   * @param databaseUser the database user (ignored for H2)
   * @param databasePassword the database password (ignored for H2)
   */
  public record Gateway(
      int port, String apiKey, String databaseUrl, String databaseUser, String databasePassword) {
    public Gateway {
      if (apiKey == null || !apiKey.startsWith("r1-")) {
        throw new IllegalArgumentException("the gateway's API key must start with r1-");
      }
    }
  }

  /**
   * Auto-configurations the gateway needs and the other services must not get just because they
   * share this JVM's classpath (a database, Flyway, Spring Security's default lock-down).
   */
  private static final String GATEWAY_ONLY_AUTOCONFIG =
      String.join(
          ",",
          "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
          "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
          "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
          "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
          "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
          "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
          "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration");

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
            "--spring.mvc.problemdetails.enabled=true",
            exclude(),
            NO_SPRINGDOC);
    policyPort = port(policy);
    String policyUrl = "http://127.0.0.1:" + policyPort;
    run(
        RewardServiceApplication.class,
        "reward-service",
        "--server.tomcat.max-swallow-size=32MB",
        exclude(),
        NO_SPRINGDOC);
    for (int i = 0; i < options.samplers(); i++) {
      ConfigurableApplicationContext sampler =
          run(
              SamplerServiceApplication.class,
              "sampler-service",
              "--r1.sampler.instance-id=sampler-" + i,
              "--r1.sampler.policy-service-url=" + policyUrl,
              "--r1.sampler.cache-dir=" + workDir.resolve("sampler-cache-" + i),
              "--r1.sampler.base-model=tiny-random",
              exclude(),
              NO_SPRINGDOC);
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
                "--r1.trainer.policy-service-url=" + policyUrl,
                exclude(),
                NO_SPRINGDOC));
    rewardPort = port(contexts.get(1));
    if (options.distill()) {
      distillPort =
          port(
              run(
                  DistillServiceApplication.class,
                  "distill-service",
                  "--r1.distill.data-dir=" + workDir.resolve("distill"),
                  "--r1.distill.policy-service-url=" + policyUrl,
                  exclude(),
                  NO_SPRINGDOC));
    }
    if (options.gateway() != null) {
      gatewayPort = port(startGateway(options.gateway()));
    }
  }

  private ConfigurableApplicationContext startGateway(Gateway g) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=" + g.port(),
                "--r1.gateway.bootstrap-api-key=" + g.apiKey(),
                "--r1.gateway.bootstrap-owner=local",
                "--r1.gateway.data-dir=" + workDir.resolve("gateway"),
                "--r1.gateway.models-dir=" + workDir.resolve("gateway").resolve("models"),
                "--r1.gateway.builtin-models=tiny-random",
                "--r1.gateway.max-dataset-bytes=64MB",
                "--r1.gateway.publish-jobs=true",
                "--spring.servlet.multipart.max-file-size=64MB",
                "--spring.servlet.multipart.max-request-size=64MB",
                "--spring.mvc.problemdetails.enabled=true",
                "--spring.flyway.locations=classpath:db/migration",
                "--spring.kafka.consumer.group-id=r1-gateway",
                "--spring.kafka.producer.key-serializer="
                    + "org.apache.kafka.common.serialization.StringSerializer",
                "--spring.kafka.producer.value-serializer="
                    + "org.apache.kafka.common.serialization.ByteArraySerializer",
                "--spring.kafka.producer.acks=all",
                "--spring.kafka.producer.compression-type=lz4",
                "--spring.kafka.consumer.key-deserializer="
                    + "org.apache.kafka.common.serialization.StringDeserializer",
                "--spring.kafka.consumer.value-deserializer="
                    + "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "--spring.kafka.consumer.auto-offset-reset=earliest",
                "--springdoc.api-docs.version=openapi_3_1",
                "--springdoc.swagger-ui.path=/swagger-ui.html",
                "--spring.autoconfigure.exclude="
                    + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration"));
    if (g.databaseUrl() == null) {
      args.add(
          "--spring.datasource.url=jdbc:h2:file:"
              + workDir.resolve("gateway").resolve("jobs-db")
              + ";AUTO_SERVER=FALSE");
      args.add("--spring.datasource.username=sa");
      args.add("--spring.datasource.password=");
    } else {
      args.add("--spring.datasource.url=" + g.databaseUrl());
      args.add("--spring.datasource.username=" + nullToEmpty(g.databaseUser()));
      args.add("--spring.datasource.password=" + nullToEmpty(g.databasePassword()));
    }
    return run(GatewayApplication.class, "gateway", args.toArray(String[]::new));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String exclude() {
    return "--spring.autoconfigure.exclude=" + GATEWAY_ONLY_AUTOCONFIG;
  }

  /** The gateway's OpenAPI document and Swagger UI stay the gateway's. */
  private static final String NO_SPRINGDOC = "--springdoc.api-docs.enabled=false";

  private ConfigurableApplicationContext run(Class<?> app, String name, String... extra) {
    long t0 = System.nanoTime();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spring.application.name=" + name,
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--management.endpoints.web.exposure.include=health,info,prometheus",
                "--management.metrics.tags.application=" + name,
                "--r1.security.actuator.token=" + actuatorToken,
                "--spring.main.banner-mode=off"));
    args.addAll(List.of(extra));
    if (args.stream().noneMatch(a -> a.startsWith("--server.port="))) {
      args.add("--server.port=0");
    }
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

  /**
   * The bearer token that opens the services' actuator endpoints other than health (the gateway's
   * take its API keys instead).
   */
  public String actuatorToken() {
    return actuatorToken;
  }

  /** The distill-service's address (when started). */
  public String distillUrl() {
    return "http://127.0.0.1:" + distillPort;
  }

  /** The gateway's address (when started). */
  public String gatewayUrl() {
    return "http://127.0.0.1:" + gatewayPort;
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
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
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
