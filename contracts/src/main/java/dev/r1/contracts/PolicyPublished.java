package dev.r1.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * @param files the version's files, as its manifest at {@code uri} lists them, or {@code null}
 *     (records written before this field existed, or by a publisher that does not list them): a
 *     sampler that has the list downloads {@code files/<name>} beside {@code uri} directly and
 *     skips the manifest request, one HTTP round trip less between an update and the next
 *     generation (3-18 ms a version on the 2-core reference machine). Optional within schema
 *     version 1.
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
    Instant publishedAt,
    List<File> files)
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
    if (files != null) {
      files = Require.list(T, "files", files);
      List<String> names = new ArrayList<>(files.size());
      for (File f : files) {
        names.add(f.name());
      }
      Require.distinctIds(T, "files.name", names);
    }
  }

  /** A version without its file list: samplers read the manifest at {@code uri}. */
  public PolicyPublished(
      int schemaVersion,
      String jobId,
      long version,
      long step,
      String uri,
      String sha256,
      PolicyFormat format,
      long sizeBytes,
      Instant publishedAt) {
    this(schemaVersion, jobId, version, step, uri, sha256, format, sizeBytes, publishedAt, null);
  }

  /**
   * One file of a version.
   *
   * @param name the file's name in the Hugging Face folder ({@code model.safetensors}); letters,
   *     digits, {@code . _ -}, starting with a letter, digit or underscore, at most 128 characters
   * @param sha256 lower-case hex SHA-256 of the file's bytes
   * @param sizeBytes the file's size in bytes, >= 0
   */
  public record File(String name, String sha256, long sizeBytes) {

    private static final String F = "PolicyPublished.File";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    public File {
      Require.nonBlank(F, "name", name);
      if (!NAME.matcher(name).matches() || name.contains("..")) {
        throw Require.violation(
            F,
            "name",
            "must be a plain file name (letters, digits, . _ -, not starting with . or -) but was '"
                + name
                + "'");
      }
      Require.nonNull(F, "sha256", sha256);
      if (!SHA256.matcher(sha256).matches()) {
        throw Require.violation(
            F, "sha256", "must be 64 lower-case hex digits but was '" + sha256 + "'");
      }
      Require.nonNegative(F, "sizeBytes", sizeBytes);
    }
  }
}
