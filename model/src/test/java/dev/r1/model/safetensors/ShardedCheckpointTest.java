package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {

  @TempDir Path dir;

  /** Ten tensors of 100 floats (400 bytes each) named layer.0 .. layer.9. */
  private static Map<String, TensorData> tensors() {
    Map<String, TensorData> m = new TreeMap<>();
    for (int t = 0; t < 10; t++) {
      float[] v = new float[100];
      for (int i = 0; i < v.length; i++) {
        v[i] = t * 1000 + i + 0.5f;
      }
      m.put("layer." + t, TensorData.of(v, 10, 10));
    }
    return m;
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void splitsIntoShardsWithAnIndexAndReadsBack() throws IOException {
    // 1000 bytes per shard: two 400-byte tensors fit, a third would not -> 5 shards
    List<Path> written = new SafetensorsWriter().writeCheckpoint(dir, tensors(), 1000);
    assertThat(written).hasSize(6);
    assertThat(written.get(5).getFileName().toString()).isEqualTo("model.safetensors.index.json");
    assertThat(fileNames(dir))
        .containsExactly(
            "model-00001-of-00005.safetensors",
            "model-00002-of-00005.safetensors",
            "model-00003-of-00005.safetensors",
            "model-00004-of-00005.safetensors",
            "model-00005-of-00005.safetensors",
            "model.safetensors.index.json");
    JsonNode index = new ObjectMapper().readTree(dir.resolve(TensorStore.INDEX_FILE).toFile());
    assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(4000);
    assertThat(index.get("weight_map").get("layer.0").asText())
        .isEqualTo("model-00001-of-00005.safetensors");
    assertThat(index.get("weight_map").get("layer.9").asText())
        .isEqualTo("model-00005-of-00005.safetensors");

    try (TensorStore store = TensorStore.open(dir)) {
      assertThat(store.files()).hasSize(5);
      assertThat(store.names()).containsExactlyElementsOf(tensors().keySet());
      assertThat(store.metadata()).containsEntry("total_size", "4000");
      assertThat(store.metadata()).containsEntry("format", "pt");
      for (Map.Entry<String, TensorData> e : tensors().entrySet()) {
        assertThat(store.readFloat(e.getKey())).containsExactly(e.getValue().data());
      }
      assertThat(store.info("layer.3").file().getFileName().toString())
          .isEqualTo("model-00002-of-00005.safetensors");
    }
  }

  @Test
  void givesAnOversizedTensorAShardOfItsOwn() throws IOException {
    new SafetensorsWriter().writeCheckpoint(dir, tensors(), 300);
    assertThat(fileNames(dir)).hasSize(11).contains("model-00010-of-00010.safetensors");
  }

  @Test
  void writesOneFileWithoutIndexWhenEverythingFits() throws IOException {
    new SafetensorsWriter().writeCheckpoint(dir, tensors(), 1000);
    List<Path> written = new SafetensorsWriter().writeCheckpoint(dir, tensors(), 4000);
    assertThat(written).containsExactly(dir.resolve("model.safetensors"));
    // the earlier shards and index are gone, so the directory opens the new file
    assertThat(fileNames(dir)).containsExactly("model.safetensors");
    try (TensorStore store = TensorStore.open(dir)) {
      assertThat(store.names()).hasSize(10);
      assertThat(store.readFloat("layer.7")[3]).isEqualTo(7003.5f);
    }
  }

  @Test
  void opensTheIndexFileDirectly() {
    new SafetensorsWriter(Dtype.BF16).writeCheckpoint(dir, tensors(), 500);
    try (TensorStore store = TensorStore.open(dir.resolve(TensorStore.INDEX_FILE))) {
      assertThat(store.readFloat("layer.1")[0]).isEqualTo(1000f);
      assertThat(store.metadata()).containsEntry("total_size", "2000");
    }
  }

  @Test
  void namesAMissingShardFile() throws IOException {
    new SafetensorsWriter().writeCheckpoint(dir, tensors(), 1000);
    Files.delete(dir.resolve("model-00003-of-00005.safetensors"));
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("model-00003-of-00005.safetensors")
        .hasMessageContaining("does not exist")
        .hasMessageContaining("layer.4");
  }

  @Test
  void namesATensorTheIndexMapsToTheWrongShard() throws IOException {
    new SafetensorsWriter().writeCheckpoint(dir, tensors(), 1000);
    Path index = dir.resolve(TensorStore.INDEX_FILE);
    String text = Files.readString(index);
    Files.writeString(
        index,
        text.replace(
            "\"layer.9\" : \"model-00005-of-00005.safetensors\"",
            "\"layer.9\" : \"model-00001-of-00005.safetensors\""));
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("tensor 'layer.9' not found in")
        .hasMessageContaining("model-00001-of-00005.safetensors");
  }

  @Test
  void rejectsAnIndexWithoutWeightMapOrWithAnEscapingShardPath() throws IOException {
    Path index = dir.resolve(TensorStore.INDEX_FILE);
    Files.writeString(index, "{\"metadata\":{}}");
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("weight_map")
        .hasMessageContaining(index.toString());
    Files.writeString(index, "{\"weight_map\":{\"a\":\"../outside.safetensors\"}}");
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("'a'")
        .hasMessageContaining("outside");
    Files.writeString(index, "{\"weight_map\":");
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("not valid JSON");
  }
}
