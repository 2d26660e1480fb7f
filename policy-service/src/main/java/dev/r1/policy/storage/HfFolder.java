package dev.r1.policy.storage;

import ai.djl.ndarray.types.Shape;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.safetensors.TensorInfo;
import dev.r1.model.safetensors.TensorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Checks that a folder is a loadable Hugging Face checkpoint before it is stored. */
final class HfFolder {

  static final String CONFIG = "config.json";
  static final String TOKENIZER = "tokenizer.json";
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";

  private HfFolder() {}

  /**
   * Validates config.json, the weights (every tensor the architecture needs, with its shape) and
   * the tokenizer files.
   *
   * @return the parsed config
   * @throws InvalidNameException naming the file or tensor at fault
   */
  static ModelConfig validate(Path dir) {
    for (String required : new String[] {CONFIG, TOKENIZER, TOKENIZER_CONFIG}) {
      if (!Files.isRegularFile(dir.resolve(required))) {
        throw new InvalidNameException("the checkpoint has no " + required);
      }
    }
    if (!Files.isRegularFile(dir.resolve(TensorStore.SINGLE_FILE))
        && !Files.isRegularFile(dir.resolve(TensorStore.INDEX_FILE))) {
      throw new InvalidNameException(
          "the checkpoint has neither "
              + TensorStore.SINGLE_FILE
              + " nor "
              + TensorStore.INDEX_FILE);
    }
    ModelConfig config;
    try {
      config = ModelConfig.read(dir);
    } catch (RuntimeException e) {
      throw new InvalidNameException("config.json is not a supported model config: " + e, e);
    }
    try (TensorStore store = TensorStore.open(dir)) {
      for (Map.Entry<String, Shape> e : CausalLm.parameterShapes(config).entrySet()) {
        if (!store.contains(e.getKey())) {
          throw new InvalidNameException(
              "the weights lack tensor '" + e.getKey() + "' required by config.json");
        }
        TensorInfo info = store.info(e.getKey());
        if (!Arrays.equals(info.shape(), e.getValue().getShape())) {
          throw new InvalidNameException(
              "tensor '"
                  + e.getKey()
                  + "' has shape "
                  + Arrays.toString(info.shape())
                  + " but config.json implies "
                  + e.getValue());
        }
      }
    } catch (InvalidNameException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidNameException("the weights cannot be read: " + e.getMessage(), e);
    }
    return config;
  }
}
