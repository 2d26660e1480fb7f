package dev.r1.sampler.policy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** Loads a Hugging Face folder (weights and tokenizer) as a {@link LoadedPolicy}. */
@Component
public class PolicyLoader {

  private final NDManager manager;

  PolicyLoader(NDManager samplerNdManager) {
    this.manager = samplerNdManager;
  }

  /** Loads {@code dir} as version {@code version} of {@code jobId} (null for the base model). */
  public LoadedPolicy load(Path dir, String jobId, long version) {
    return load(dir, jobId, version, false);
  }

  /**
   * Loads {@code dir}; with {@code ownsDir} the folder is deleted once the version is closed (a
   * download of that version only, so a long job's versions do not pile up on the sampler's disk).
   */
  public LoadedPolicy load(Path dir, String jobId, long version, boolean ownsDir) {
    CausalLm model = CausalLm.load(dir, manager, DataType.FLOAT32);
    try {
      return new LoadedPolicy(jobId, version, model, Tokenizer.load(dir), ownsDir ? dir : null);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
