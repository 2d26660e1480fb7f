package dev.r1.sampler.policy;

import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded policy version: model and tokenizer, reference counted. The registry holds one
 * reference while the version is current or kept; each batch that samples with it holds another.
 * The model is closed when the last reference goes, so a batch in flight never loses its weights.
 */
public final class LoadedPolicy {

  private static final Logger log = LoggerFactory.getLogger(LoadedPolicy.class);

  private final String jobId;
  private final long version;
  private final CausalLm model;
  private final Tokenizer tokenizer;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();
  private final Path ownedDir;
  private final Object tokenizerFiles;

  LoadedPolicy(String jobId, long version, CausalLm model, Tokenizer tokenizer) {
    this(jobId, version, model, tokenizer, null, null);
  }

  /**
   * @param ownedDir a downloaded folder only this version uses, deleted when the model closes (the
   *     weights are in memory by then), or null
   * @param tokenizerFiles identity of the files the tokenizer was loaded from (see {@link
   *     #tokenizerFiles()}), or null when unknown
   */
  LoadedPolicy(
      String jobId,
      long version,
      CausalLm model,
      Tokenizer tokenizer,
      Path ownedDir,
      Object tokenizerFiles) {
    this.jobId = jobId;
    this.version = version;
    this.model = model;
    this.tokenizer = tokenizer;
    this.ownedDir = ownedDir;
    this.tokenizerFiles = tokenizerFiles;
  }

  /** The job this version belongs to, or null for the base model. */
  public String jobId() {
    return jobId;
  }

  /** The policy version (0 for the base model). */
  public long version() {
    return version;
  }

  public CausalLm model() {
    return model;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Identity of the tokenizer's files on disk (their file keys), or null when unknown. Two versions
   * with equal non-null values read the very same files (hard links of one downloaded blob), so a
   * prompt rendered with one's tokenizer is exactly what the other's would render.
   */
  public Object tokenizerFiles() {
    return tokenizerFiles;
  }

  /** Takes a reference unless the version is already closed. */
  boolean tryAcquire() {
    while (true) {
      int r = refs.get();
      if (r <= 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Gives a reference back; the last one closes the model. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      model.close();
      tokenizer.close();
      if (ownedDir != null) {
        deleteQuietly(ownedDir);
      }
    }
  }

  /** Drops the registry's reference (once). */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  private void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return; // a duplicate load of the same version shared the folder and deleted it already
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn(
          "Could not delete the downloaded folder {} of {}: {}; it stays on disk.",
          dir,
          this,
          e.getMessage());
    }
  }

  /** Whether the model has been closed (no references left). */
  public boolean isClosed() {
    return refs.get() <= 0;
  }

  @Override
  public String toString() {
    return (jobId == null ? "base model" : "job " + jobId) + " policy version " + version;
  }
}
