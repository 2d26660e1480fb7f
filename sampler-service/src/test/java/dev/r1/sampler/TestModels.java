package dev.r1.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Tiny random Hugging Face folders and an independent teacher-forced log-prob check. */
final class TestModels {

  private TestModels() {}

  static ModelConfig config() {
    return new ModelConfig(
        "qwen2",
        TinyTokenizerFactory.VOCAB_SIZE,
        32,
        64,
        2,
        4,
        2,
        8,
        1e-6,
        10000,
        null,
        true,
        true,
        false,
        4096,
        -1,
        List.of(3, 1),
        "float32");
  }

  /** Writes a complete folder with random weights from {@code seed}. */
  static Path write(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config(), seed, m, DataType.FLOAT32)) {
      model.save(dir);
    }
    TinyTokenizerFactory.write(dir);
    return dir;
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * log-softmax(logits / temperature) of each completion token after prompt + preceding tokens, by
   * one full forward pass over the concatenation (no KV cache).
   */
  static float[] teacherForced(Path modelDir, int[] prompt, int[] completion, double temperature) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(modelDir, m, DataType.FLOAT32)) {
      int[] ids = new int[prompt.length + completion.length];
      System.arraycopy(prompt, 0, ids, 0, prompt.length);
      System.arraycopy(completion, 0, ids, prompt.length, completion.length);
      int[] mask = new int[ids.length];
      java.util.Arrays.fill(mask, 1);
      NDArray logits = model.forward(m, new int[][] {ids}, new int[][] {mask});
      float[] flat = logits.toFloatArray();
      int v = model.config().vocabSize();
      float[] out = new float[completion.length];
      for (int i = 0; i < completion.length; i++) {
        int pos = prompt.length - 1 + i;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          max = Math.max(max, flat[pos * v + k] / temperature);
        }
        double sum = 0;
        for (int k = 0; k < v; k++) {
          sum += Math.exp(flat[pos * v + k] / temperature - max);
        }
        out[i] = (float) (flat[pos * v + completion[i]] / temperature - max - Math.log(sum));
      }
      return out;
    }
  }
}
