package dev.r1.contracts;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A new policy version is downloadable. Value type of {@link Topics#POLICY_PUBLISHED}; key {@link
 * Keys#of(PolicyPublished)} (the job id; the topic is compacted, so the newest version of every job
 * survives).
 *
 * <p>Produced by the policy-service once the trainer's checkpoint is stored and hashed; consumed by
 * the sampler-services (hot-swap between batches) and the gateway (checkpoint list).
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job whose policy this is
 * @param version the policy version, >= 0, strictly increasing per job (0 = base model)
 * @param step the optimiser step that produced it, >= 0
 * @param uri where to download the weights (http(s), file or s3 URI)
 * @param sha256 lower-case hex SHA-256 of the weights file (or of the directory's manifest)
 * @param format how the weights are stored
 * @param sizeBytes size of the weights in bytes, >= 0
 * @param publishedAt when the policy-service published it
 */
public record PolicyPublished(
    int schemaVersion,
    String jobId,
    long version,
    long step,
    String uri,
    String sha256,
    PolicyFormat format,
    long sizeBytes,
    Instant publishedAt)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "PolicyPublished";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public PolicyPublished {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonNegative(T, "version", version);
    Require.nonNegative(T, "step", step);
    Require.nonBlank(T, "uri", uri);
    Require.nonNull(T, "sha256", sha256);
    if (!SHA256.matcher(sha256).matches()) {
      throw Require.violation(
          T, "sha256", "must be 64 lower-case hex digits but was '" + sha256 + "'");
    }
    Require.nonNull(T, "format", format);
    Require.nonNegative(T, "sizeBytes", sizeBytes);
    Require.nonNull(T, "publishedAt", publishedAt);
  }
}
