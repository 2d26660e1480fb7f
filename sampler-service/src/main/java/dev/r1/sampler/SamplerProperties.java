package dev.r1.sampler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the sampler-service ({@code r1.sampler.*}).
 *
 * @param instanceId this sampler's name in sampled groups and in its policy consumer group ({@code
 *     r1-sampler-<instanceId>}); default: $HOSTNAME or a random id
 * @param consumerGroup the consumer group the samplers share on the prompts topic
 * @param concurrency prompt consumer threads (each generates its own batches)
 * @param maxBatchPrompts the most prompt tasks generated together (max.poll.records)
 * @param lingerMs how long the broker may hold a fetch to gather more prompts into one batch
 *     (fetch.max.wait.ms; 0 answers every fetch at once)
 * @param keepVersions how many policy versions per job stay loaded
 * @param versionWait how long a prompt that asks for a policy version newer than every loaded one
 *     (an on-policy trainer asks for the version it has just published) waits for that version to
 *     arrive before the newest loaded one is used instead
 * @param baseModelDir a local Hugging Face folder used as version 0 (takes precedence)
 * @param policyServiceUrl the policy-service base URL, for the base model and initial version
 * @param baseModel the base model name at the policy-service when no local folder is given
 * @param jobId a job whose latest version is loaded at startup (optional)
 * @param cacheDir where downloaded versions are stored
 * @param textPrompts how a plain-text prompt is rendered: {@code chat} (one user turn through the
 *     chat template) or {@code raw} (the text as is)
 * @param downloadAttempts attempts per file download before the version is given up
 * @param createTopics whether to create the topics this service writes on startup
 * @param topicReplicas replication factor of those topics
 * @param intraOpThreads libtorch intra-op threads while generating (0: the engine's count). A
 *     decode step's operators are small; on a 2-core machine one thread decoded ~1.5x faster than
 *     two. The count applies to the generating threads only.
 */
@ConfigurationProperties("r1.sampler")
public record SamplerProperties(
    String instanceId,
    @DefaultValue("r1-sampler") String consumerGroup,
    @DefaultValue("1") int concurrency,
    @DefaultValue("64") int maxBatchPrompts,
    @DefaultValue("50") int lingerMs,
    @DefaultValue("2") int keepVersions,
    @DefaultValue("10s") Duration versionWait,
    Path baseModelDir,
    String policyServiceUrl,
    @DefaultValue("tiny-random") String baseModel,
    String jobId,
    @DefaultValue("./runs/sampler-cache") Path cacheDir,
    @DefaultValue("chat") TextPrompts textPrompts,
    @DefaultValue("3") int downloadAttempts,
    @DefaultValue("true") boolean createTopics,
    @DefaultValue("1") int topicReplicas,
    @DefaultValue("0") int intraOpThreads) {

  /** How a plain-text prompt becomes model input. */
  public enum TextPrompts {
    /** The text is one user turn rendered with the model's chat template. */
    CHAT,
    /** The text is tokenised as is (it already carries its own template). */
    RAW
  }

  public SamplerProperties {
    if (instanceId == null || instanceId.isBlank()) {
      String host = System.getenv("HOSTNAME");
      instanceId =
          (host == null || host.isBlank() ? "sampler" : host)
              + "-"
              + UUID.randomUUID().toString().substring(0, 8);
    }
    if (versionWait == null || versionWait.isNegative()) {
      throw new IllegalArgumentException("r1.sampler.version-wait must be >= 0");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "r1.sampler.intra-op-threads must be >= 0 (0 = engine default), got " + intraOpThreads);
    }
    if (maxBatchPrompts < 1 || concurrency < 1 || keepVersions < 1 || downloadAttempts < 1) {
      throw new IllegalArgumentException(
          "r1.sampler.max-batch-prompts, concurrency, keep-versions and download-attempts must"
              + " be >= 1");
    }
  }
}
