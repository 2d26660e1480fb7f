package dev.r1.policy.storage;

import java.util.List;
import java.util.function.Function;

/**
 * What a stored model folder holds: written next to the folder when it is stored, served as {@code
 * .../manifest}.
 *
 * @param jobId the job of a policy version, or null for a base model
 * @param model the base model name, or null for a policy version
 * @param version the policy version (0 for a base model)
 * @param step the optimiser step that produced the version (0 for a base model)
 * @param modelType config.json's {@code model_type}
 * @param sha256 SHA-256 of {@code model.safetensors} (of the index file for a sharded checkpoint)
 * @param totalBytes the size of all files together
 * @param createdAt ISO-8601 time the folder was stored
 * @param files every file, sorted by name
 * @param checkpoint whether the trainer marked the version as one it checkpointed (retention keeps
 *     a job's newest such version besides its newest versions)
 */
public record Manifest(
    String jobId,
    String model,
    long version,
    long step,
    String modelType,
    String sha256,
    long totalBytes,
    String createdAt,
    List<ManifestFile> files,
    boolean checkpoint) {

  public Manifest {
    files = List.copyOf(files);
  }

  /** This manifest with every file's download URL set by {@code urlOf(fileName)}. */
  public Manifest withUrls(Function<String, String> urlOf) {
    return new Manifest(
        jobId,
        model,
        version,
        step,
        modelType,
        sha256,
        totalBytes,
        createdAt,
        files.stream().map(f -> f.withUrl(urlOf.apply(f.name()))).toList(),
        checkpoint);
  }

  /** The entry of a file, or null. */
  public ManifestFile file(String name) {
    for (ManifestFile f : files) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
