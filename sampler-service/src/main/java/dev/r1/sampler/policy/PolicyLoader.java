package dev.r1.sampler.policy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
      return new LoadedPolicy(
          jobId, version, model, Tokenizer.load(dir), ownsDir ? dir : null, tokenizerFiles(dir));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Files a {@link Tokenizer} reads: what prompt rendering depends on. */
  static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "chat_template.jinja",
          "special_tokens_map.json",
          "generation_config.json",
          "config.json");

  /**
   * The file keys (device and inode, with size and modification time) of the tokenizer's files in
   * {@code dir}, by name; null when the file system has no file keys or a file cannot be read.
   * Downloaded versions hard-link unchanged files to one blob, so consecutive versions of a job
   * share these keys.
   */
  static Object tokenizerFiles(Path dir) {
    Map<String, Object> keys = new TreeMap<>();
    for (String name : TOKENIZER_FILES) {
      Path f = dir.resolve(name);
      if (!Files.exists(f)) {
        continue;
      }
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        if (a.fileKey() == null) {
          return null;
        }
        // size and modification time guard against an inode reused after a blob was deleted
        keys.put(name, List.of(a.fileKey(), a.size(), a.lastModifiedTime()));
      } catch (IOException e) {
        return null;
      }
    }
    return Map.copyOf(keys);
  }
}
