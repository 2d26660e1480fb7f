package dev.r1.gateway.datasets;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A stored, validated JSONL dataset.
 *
 * @param id {@code ds-} plus 24 hex digits
 * @param owner the caller that uploaded it
 * @param filename the name the caller gave it
 * @param bytes its size
 * @param records the number of non-blank lines (examples)
 * @param sha256 SHA-256 hex of the file
 * @param path where it lies
 * @param createdAt when it was uploaded
 */
public record Dataset(
    String id,
    String owner,
    String filename,
    long bytes,
    int records,
    String sha256,
    Path path,
    Instant createdAt) {

  /** Where workers read it: the stored file's URI, or the built-in task's id. */
  public String uri() {
    return path == null ? id : path.toUri().toString();
  }
}
