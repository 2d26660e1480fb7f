package dev.r1.sampler.policy;

import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded policy version: model and tokenizer, reference counted. The registry holds one
 * reference while the version is current or kept; each batch that samples with it holds another.
 * The model is closed when the last reference goes, so a batch in flight never loses its weights.
 */
public final class LoadedPolicy {

  private final String jobId;
  private final long version;
  private final CausalLm model;
  private final Tokenizer tokenizer;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  LoadedPolicy(String jobId, long version, CausalLm model, Tokenizer tokenizer) {
    this.jobId = jobId;
    this.version = version;
    this.model = model;
    this.tokenizer = tokenizer;
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
    }
  }

  /** Drops the registry's reference (once). */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
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
