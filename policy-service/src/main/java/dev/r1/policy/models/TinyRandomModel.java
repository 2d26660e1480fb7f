package dev.r1.policy.models;

import ai.djl.ndarray.types.Shape;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.safetensors.SafetensorsWriter;
import dev.r1.model.safetensors.TensorData;
import dev.r1.model.safetensors.TensorStore;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in {@code tiny-random} base model: a two-layer Qwen2-style decoder over the tiny
 * byte-level tokenizer (vocab 264), random weights from a fixed seed. For tests and the local run.
 */
public final class TinyRandomModel {

  /** The name the model is stored under. */
  public static final String NAME = "tiny-random";

  /** The seed of the weights. */
  public static final long SEED = 20250101L;

  private TinyRandomModel() {}

  /** The architecture: hidden 32, 2 layers, 4 query / 2 key-value heads, tied embeddings. */
  public static ModelConfig config() {
    int imEnd = TinyTokenizerFactory.SPECIAL_TOKENS.indexOf(TinyTokenizerFactory.IM_END);
    int endOfText = TinyTokenizerFactory.SPECIAL_TOKENS.indexOf(TinyTokenizerFactory.END_OF_TEXT);
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
        List.of(imEnd, endOfText),
        "float32");
  }

  /**
   * Writes the complete Hugging Face folder (config.json, model.safetensors, tokenizer.json,
   * tokenizer_config.json) into {@code dir}.
   */
  public static Path write(Path dir, long seed) {
    ModelConfig config = config();
    try {
      config.write(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write config.json into " + dir, e);
    }
    TinyTokenizerFactory.write(dir);
    CausalLm.ParameterSource source = CausalLm.randomSource(seed, 0.02);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : CausalLm.parameterShapes(config).entrySet()) {
      double[] v = source.values(e.getKey(), e.getValue());
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      tensors.put(e.getKey(), TensorData.of(f, e.getValue().getShape()));
    }
    SafetensorsWriter.writeF32(dir.resolve(TensorStore.SINGLE_FILE), tensors);
    return dir;
  }
}
