package dev.r1.training;

import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import java.util.List;

/** Tiny model configurations for tests (byte tokenizer vocabulary). */
public final class TinyLm {

  private TinyLm() {}

  /** A qwen2-style model with 4 heads, 2 kv heads, SwiGLU width 3 * hidden, tied embeddings. */
  public static ModelConfig config(int hidden, int layers) {
    return new ModelConfig(
        "qwen2",
        TinyTokenizerFactory.VOCAB_SIZE,
        hidden,
        hidden * 3,
        layers,
        4,
        2,
        hidden / 4,
        1e-6,
        10000,
        null,
        true,
        true,
        false,
        512,
        -1,
        List.of(3),
        "float32");
  }
}
