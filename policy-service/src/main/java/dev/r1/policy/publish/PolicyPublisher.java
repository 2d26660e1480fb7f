package dev.r1.policy.publish;

import dev.r1.contracts.Keys;
import dev.r1.contracts.PolicyFormat;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.Topics;
import dev.r1.policy.storage.Manifest;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Announces stored policy versions on {@link Topics#POLICY_PUBLISHED}. */
@Component
public class PolicyPublisher {

  private static final Logger log = LoggerFactory.getLogger(PolicyPublisher.class);

  private final KafkaTemplate<String, PolicyPublished> kafka;

  PolicyPublisher(KafkaTemplate<String, PolicyPublished> kafka) {
    this.kafka = kafka;
  }

  /**
   * Publishes a version and waits for the broker's acknowledgement.
   *
   * @param manifestUrl where samplers download the version's manifest
   * @throws PublishFailedException when the broker does not acknowledge within 30 s
   */
  public PolicyPublished publish(Manifest version, String manifestUrl) {
    PolicyPublished message =
        new PolicyPublished(
            PolicyPublished.SCHEMA_VERSION,
            version.jobId(),
            version.version(),
            version.step(),
            manifestUrl,
            version.sha256(),
            PolicyFormat.HF_DIRECTORY,
            version.totalBytes(),
            Instant.now(),
            version.files().stream()
                .map(f -> new PolicyPublished.File(f.name(), f.sha256(), f.sizeBytes()))
                .toList());
    try {
      kafka.send(Topics.POLICY_PUBLISHED, Keys.of(message), message).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while publishing " + describe(message), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new PublishFailedException(
          "the broker did not acknowledge " + describe(message) + ": " + e.getMessage(), e);
    }
    log.info(
        "Published policy version {} of job {} (step {}, sha256 {}) at {}.",
        message.version(),
        message.jobId(),
        message.step(),
        message.sha256(),
        manifestUrl);
    return message;
  }

  private static String describe(PolicyPublished m) {
    return "policy version " + m.version() + " of job " + m.jobId();
  }
}
