package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads the tiny Hugging Face checkpoints in the shared fixtures. */
class TensorStoreFixtureTest {

  private static Path model(String name) {
    return RawFiles.fixtures().resolve("models").resolve(name);
  }

  @ParameterizedTest
  @CsvSource({"llama-tiny-bf16, 21, BF16", "qwen2-tiny, 26, F32", "qwen3-tiny, 24, F32"})
  void opensEveryFixtureWithShapesFromItsConfig(String name, int tensors, Dtype dtype)
      throws IOException {
    JsonNode config = new ObjectMapper().readTree(model(name).resolve("config.json").toFile());
    int vocab = config.get("vocab_size").asInt();
    int hidden = config.get("hidden_size").asInt();
    int ffn = config.get("intermediate_size").asInt();
    try (TensorStore store = TensorStore.open(model(name))) {
      assertThat(store.names()).hasSize(tensors);
      assertThat(store.metadata()).containsEntry("format", "pt");
      assertThat(store.info("model.embed_tokens.weight").shape()).containsExactly(vocab, hidden);
      assertThat(store.info("model.layers.0.mlp.up_proj.weight").shape())
          .containsExactly(ffn, hidden);
      assertThat(store.info("model.layers.1.mlp.down_proj.weight").shape())
          .containsExactly(hidden, ffn);
      assertThat(store.info("model.norm.weight").shape()).containsExactly(hidden);
      for (String t : store.names()) {
        TensorInfo info = store.info(t);
        assertThat(info.dtype()).isEqualTo(dtype);
        float[] values = store.readFloat(t);
        assertThat(values).hasSize((int) info.numel());
        for (float v : values) {
          assertThat(Float.isFinite(v)).as("%s finite", t).isTrue();
        }
      }
    }
  }

  /** Sums and values computed with numpy from the raw file bytes, outside this project. */
  @ParameterizedTest
  @CsvSource({
    "llama-tiny-bf16, model.embed_tokens.weight, -2.3412723541259766, -0.255859375, 0.1044921875",
    "llama-tiny-bf16, model.norm.weight, 65.734375, 0.92578125, 1.0390625",
    "llama-tiny-bf16, model.layers.1.self_attn.q_proj.weight, 0.6670540571212769,"
        + " 0.037353515625, 0.0223388671875",
    "qwen2-tiny, model.embed_tokens.weight, 51.94988308246684, -0.41006726026535034,"
        + " 0.04211669787764549",
    "qwen2-tiny, model.norm.weight, 63.706811606884, 1.0243637561798096, 1.0070819854736328",
    "qwen3-tiny, model.layers.1.self_attn.q_proj.weight, 0.7248624291923988,"
        + " -0.0489034578204155, -0.059842322021722794",
  })
  void matchesValuesDecodedByNumpy(
      String name, String tensor, double sum, float first, float last) {
    try (TensorStore store = TensorStore.open(model(name).resolve("model.safetensors"))) {
      float[] v = store.readFloat(tensor);
      double total = 0;
      for (float x : v) {
        total += x;
      }
      assertThat(total).isCloseTo(sum, within(1e-9));
      assertThat(v[0]).isEqualTo(first);
      assertThat(v[v.length - 1]).isEqualTo(last);
      double[] d = store.readDouble(tensor);
      assertThat(d[0]).isEqualTo((double) first);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tiny-bf16", "qwen2-tiny"})
  void agreesWithAManualDecodeOfTheRawBytes(String name) throws IOException {
    Path file = model(name).resolve("model.safetensors");
    byte[] raw = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) buf.getLong(0);
    JsonNode header = new ObjectMapper().readTree(new String(raw, 8, headerLength, "UTF-8"));
    int base = 8 + headerLength;
    try (TensorStore store = TensorStore.open(file)) {
      for (Map.Entry<String, JsonNode> e : header.properties()) {
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        String dtype = e.getValue().get("dtype").asText();
        int begin = base + e.getValue().get("data_offsets").get(0).asInt();
        int end = base + e.getValue().get("data_offsets").get(1).asInt();
        float[] read = store.readFloat(e.getKey());
        int width = dtype.equals("BF16") ? 2 : 4;
        assertThat(read.length).isEqualTo((end - begin) / width);
        for (int i = 0; i < read.length; i++) {
          int at = begin + i * width;
          int bits =
              width == 2
                  ? ((raw[at] & 0xFF) | (raw[at + 1] & 0xFF) << 8) << 16
                  : (raw[at] & 0xFF)
                      | (raw[at + 1] & 0xFF) << 8
                      | (raw[at + 2] & 0xFF) << 16
                      | (raw[at + 3] & 0xFF) << 24;
          assertThat(Float.floatToRawIntBits(read[i])).as("%s[%d]", e.getKey(), i).isEqualTo(bits);
        }
        ByteBuffer mapped = store.mapRaw(e.getKey());
        assertThat(mapped.remaining()).isEqualTo(end - begin);
        assertThat(mapped.get(0)).isEqualTo(raw[begin]);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 64, 4096})
  void smallMappingChunksGiveTheSameValues(int chunkBytes) {
    Path file = model("llama-tiny-bf16").resolve("model.safetensors");
    try (TensorStore whole = TensorStore.open(file);
        TensorStore chunked = TensorStore.open(file, chunkBytes)) {
      for (String t : whole.names()) {
        assertThat(chunked.readFloat(t)).containsExactly(whole.readFloat(t));
      }
    }
  }
}
