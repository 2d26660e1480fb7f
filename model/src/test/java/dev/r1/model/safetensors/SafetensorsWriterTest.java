package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

  @TempDir Path dir;

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    }
    return v;
  }

  private static Map<String, TensorData> sample() {
    Map<String, TensorData> m = new LinkedHashMap<>();
    m.put("model.norm.weight", TensorData.of(random(8, 1), 8));
    m.put("lm_head.weight", TensorData.of(random(24, 2), 3, 8));
    m.put(
        "model.embed_tokens.weight",
        TensorData.of(
            new float[] {
              0f,
              -0f,
              Float.MIN_VALUE,
              Float.MAX_VALUE,
              Float.NEGATIVE_INFINITY,
              Float.intBitsToFloat(0x7FC0_1234),
              1f / 3,
              -1e-40f
            },
            2,
            4));
    m.put("scalar", TensorData.of(new float[] {42f}));
    m.put("empty", TensorData.of(new float[0], 0, 5));
    return m;
  }

  @Test
  void roundTripsF32BitExactly() {
    Path file = dir.resolve("model.safetensors");
    Map<String, TensorData> tensors = sample();
    SafetensorsWriter.writeF32(file, tensors);
    try (TensorStore store = TensorStore.open(file)) {
      assertThat(store.names()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
      for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
        float[] read = store.readFloat(e.getKey());
        assertThat(store.info(e.getKey()).shape()).containsExactly(e.getValue().shape());
        assertThat(store.info(e.getKey()).dtype()).isEqualTo(Dtype.F32);
        assertThat(read).hasSameSizeAs(e.getValue().data());
        for (int i = 0; i < read.length; i++) {
          assertThat(Float.floatToRawIntBits(read[i]))
              .isEqualTo(Float.floatToRawIntBits(e.getValue().data()[i]));
        }
      }
      assertThat(store.info("scalar").shape()).isEmpty();
      assertThat(store.metadata()).containsExactly(Map.entry("format", "pt"));
    }
  }

  @Test
  void writesHeaderLikeTheReferenceImplementation() throws IOException {
    Path file = dir.resolve("m.safetensors");
    SafetensorsWriter.writeF32(file, sample());
    byte[] raw = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertThat(n % 8).isZero();
    String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"},");
    assertThat(header.stripTrailing()).endsWith("}");
    assertThat(header.substring(header.stripTrailing().length())).matches(" {0,7}");
    JsonNode json = new ObjectMapper().readTree(header);
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly(
            "__metadata__",
            "empty",
            "lm_head.weight",
            "model.embed_tokens.weight",
            "model.norm.weight",
            "scalar");
    long expectedBegin = 0;
    Iterator<String> it = names.listIterator(1);
    while (it.hasNext()) {
      JsonNode offsets = json.get(it.next()).get("data_offsets");
      assertThat(offsets.get(0).asLong()).isEqualTo(expectedBegin);
      expectedBegin = offsets.get(1).asLong();
    }
    assertThat(raw.length).isEqualTo(8 + n + expectedBegin);
    assertThat(json.get("lm_head.weight").get("shape").toString()).isEqualTo("[3,8]");
  }

  @Test
  void roundsToBf16NearestEven() {
    Path file = dir.resolve("bf16.safetensors");
    float[] values = {
      1f + 0x1p-8f, // tie: down to even 1.0
      1f + 3 * 0x1p-8f, // tie: up to even 1 + 2^-6
      1f + 0x1p-8f + 0x1p-20f, // above the tie: up
      -2.75f, // exact
      Float.MAX_VALUE, // overflows to infinity
      3.1415927f
    };
    new SafetensorsWriter(Dtype.BF16).writeFile(file, Map.of("w", TensorData.of(values, 6)));
    try (TensorStore store = TensorStore.open(file)) {
      assertThat(store.info("w").dtype()).isEqualTo(Dtype.BF16);
      assertThat(store.info("w").byteLength()).isEqualTo(12);
      assertThat(store.readFloat("w"))
          .containsExactly(
              1f, 1f + 0x1p-6f, 1f + 0x1p-7f, -2.75f, Float.POSITIVE_INFINITY, 3.140625f);
    }
  }

  @Test
  void bf16ErrorStaysWithinHalfAUnitInTheLastPlace() {
    Path file = dir.resolve("bf16.safetensors");
    float[] values = random(5000, 7);
    new SafetensorsWriter(Dtype.BF16).writeFile(file, Map.of("w", TensorData.of(values, 5000)));
    try (TensorStore store = TensorStore.open(file)) {
      float[] read = store.readFloat("w");
      for (int i = 0; i < values.length; i++) {
        float ulp = Math.ulp(values[i]) * 65536; // bf16 keeps 8 of float's 24 significand bits
        assertThat((double) Math.abs(read[i] - values[i])).isLessThanOrEqualTo(ulp / 2.0);
        assertThat(Float.floatToRawIntBits(read[i]) & 0xFFFF).isZero();
      }
    }
  }

  @Test
  void writesF16ThatReadsBackExactlyForRepresentableValues() {
    Path file = dir.resolve("f16.safetensors");
    float[] values = {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, 0.333251953125f};
    new SafetensorsWriter(Dtype.F16).writeFile(file, Map.of("w", TensorData.of(values, 2, 3)));
    try (TensorStore store = TensorStore.open(file)) {
      assertThat(store.readFloat("w")).containsExactly(values);
    }
  }

  @Test
  void storesExtraMetadata() {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter().withMetadata("step", "120").writeFile(file, sample());
    try (TensorStore store = TensorStore.open(file)) {
      assertThat(store.metadata()).containsEntry("format", "pt").containsEntry("step", "120");
    }
  }

  @Test
  void replacesAnExistingFileAndLeavesNoTemporaries() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafetensorsWriter.writeF32(file, sample());
    SafetensorsWriter.writeF32(file, Map.of("only", TensorData.of(new float[] {1, 2}, 2)));
    try (TensorStore store = TensorStore.open(dir)) {
      assertThat(store.names()).containsExactly("only");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
    }
  }

  @Test
  void rejectsReservedAndEmptyNamesAndMismatchedShapes() {
    Path file = dir.resolve("x.safetensors");
    assertThatThrownBy(
            () ->
                SafetensorsWriter.writeF32(
                    file, Map.of("__metadata__", TensorData.of(new float[1], 1))))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("__metadata__");
    assertThatThrownBy(() -> TensorData.of(new float[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]");
    assertThatThrownBy(() -> new SafetensorsWriter(Dtype.I64))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
