package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.safetensors.SafetensorsWriter;
import dev.r1.model.safetensors.TensorData;
import dev.r1.model.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken model folders fail with messages that name the field, tensor or file at fault. */
class LoadErrorsTest {

  @TempDir Path dir;

  private Path savedTinyModel() throws IOException {
    Path folder = dir.resolve("model");
    try (NDManager root = NDManager.newBaseManager();
        CausalLm m = CausalLm.random(TinyConfigs.qwen2(), 1, root, DataType.FLOAT32)) {
      m.save(folder);
    }
    return folder;
  }

  private static CausalLm load(Path folder) {
    try (NDManager root = NDManager.newBaseManager()) {
      return CausalLm.load(folder, root, DataType.FLOAT32);
    }
  }

  @Test
  void savedModelLoadsBackWithIdenticalLogits() throws IOException {
    Path folder = dir.resolve("roundtrip");
    int[][] ids = {{1, 5, 9, 12}};
    int[][] mask = {{1, 1, 1, 1}};
    try (NDManager root = NDManager.newBaseManager();
        CausalLm m = CausalLm.random(TinyConfigs.qwen3(), 4, root, DataType.FLOAT32)) {
      m.save(folder);
      float[] before = m.forward(root, ids, mask).toFloatArray();
      try (CausalLm back = CausalLm.load(folder, root, DataType.FLOAT32)) {
        assertThat(back.forward(root, ids, mask).toFloatArray()).containsExactly(before);
        assertThat(back.config()).isEqualTo(m.config());
      }
    }
    assertThat(Files.readString(folder.resolve("config.json")))
        .contains("\"Qwen3ForCausalLM\"", "\"model_type\" : \"qwen3\"", "\"head_dim\" : 6");
  }

  @Test
  void unknownModelTypeIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Path cfg = folder.resolve("config.json");
    Files.writeString(cfg, Files.readString(cfg).replace("\"qwen2\"", "\"gpt_neox\""));
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("model_type 'gpt_neox' is not supported");
  }

  @Test
  void wrongTypedConfigFieldIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Path cfg = folder.resolve("config.json");
    Files.writeString(
        cfg, Files.readString(cfg).replace("\"hidden_size\" : 16", "\"hidden_size\" : \"16\""));
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("hidden_size must be an integer");
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Map<String, TensorData> tensors = readAll(folder);
    tensors.remove("model.layers.1.mlp.up_proj.weight");
    new SafetensorsWriter().writeFile(folder.resolve("model.safetensors"), tensors);
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tensor 'model.layers.1.mlp.up_proj.weight' is missing");
  }

  @Test
  void shapeMismatchIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Map<String, TensorData> tensors = readAll(folder);
    tensors.put("model.norm.weight", TensorData.of(new float[17], 17));
    new SafetensorsWriter().writeFile(folder.resolve("model.safetensors"), tensors);
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tensor 'model.norm.weight'")
        .hasMessageContaining("[17]")
        .hasMessageContaining("[16]");
  }

  @Test
  void truncatedCheckpointIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Path file = folder.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("model.safetensors");
  }

  @Test
  void corruptHeaderIsNamed() throws IOException {
    Path folder = savedTinyModel();
    Path file = folder.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 8; i < 40; i++) {
      bytes[i] = '#';
    }
    Files.write(file, bytes);
    assertThatThrownBy(() -> load(folder))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("model.safetensors");
  }

  private static Map<String, TensorData> readAll(Path folder) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    try (TensorStore s = TensorStore.open(folder)) {
      for (String n : s.names()) {
        out.put(n, new TensorData(s.readFloat(n), s.info(n).shape()));
      }
    }
    return out;
  }
}
