package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can be broken yields a SafetensorsException naming the file and tensor. */
class MalformedFileTest {

  private static final String UP = "model.layers.0.mlp.up_proj.weight";

  @TempDir Path dir;

  private Path file;

  private AbstractThrowableAssert<?, ? extends Throwable> opening(String header, byte[] data)
      throws IOException {
    file = RawFiles.write(dir.resolve("broken.safetensors"), header, data);
    return assertThatThrownBy(() -> TensorStore.open(file).close())
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(file.toString());
  }

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}"
        .formatted(name, dtype, shape, begin, end);
  }

  @Test
  void namesAnUnknownTensor() throws IOException {
    Path ok =
        RawFiles.write(
            dir.resolve("ok.safetensors"),
            "{" + entry("a", "F32", "[2]", 0, 8) + "}",
            RawFiles.littleEndianFloats(1, 2));
    try (TensorStore store = TensorStore.open(ok)) {
      assertThatThrownBy(() -> store.readFloat(UP))
          .isInstanceOf(SafetensorsException.class)
          .hasMessage("tensor '" + UP + "' not found in " + ok);
      assertThatThrownBy(() -> store.info("b")).hasMessageContaining("'b'");
      assertThat(store.readFloat("a")).containsExactly(1f, 2f);
    }
  }

  @Test
  void rejectsAFileShorterThanTheLengthPrefix() throws IOException {
    file = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> TensorStore.open(file))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("too short");
  }

  @Test
  void rejectsAHeaderLongerThanTheFile() throws IOException {
    byte[] raw = RawFiles.bytes("{" + entry(UP, "F32", "[2]", 0, 8) + "}", new byte[8]);
    file = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(raw, 30));
    assertThatThrownBy(() -> TensorStore.open(file))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsAnAbsurdHeaderLength() throws IOException {
    byte[] raw = new byte[64];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L);
    file = Files.write(dir.resolve("absurd.safetensors"), raw);
    assertThatThrownBy(() -> TensorStore.open(file))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("200000000");
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
    Files.write(file, raw);
    assertThatThrownBy(() -> TensorStore.open(file))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("18446744073709551615");
  }

  @Test
  void rejectsTruncatedData() throws IOException {
    opening("{" + entry(UP, "F32", "[4]", 0, 16) + "}", new byte[10])
        .hasMessageContaining(UP)
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsHeadersThatAreNotJsonObjects() throws IOException {
    opening("{\"a\": {\"dtype\": ", new byte[0]).hasMessageContaining("not valid JSON");
    opening("[1, 2]", new byte[0]).hasMessageContaining("must be a JSON object");
    opening("{} trailing", new byte[0]).hasMessageContaining("not valid JSON");
    file = dir.resolve("utf.safetensors");
    byte[] raw = RawFiles.bytes("{}  ", new byte[0]);
    raw[9] = (byte) 0xC3; // lone lead byte of a two-byte sequence
    Files.write(file, raw);
    assertThatThrownBy(() -> TensorStore.open(file)).hasMessageContaining("UTF-8");
  }

  @Test
  void rejectsDuplicateTensorNames() throws IOException {
    opening(
            "{" + entry(UP, "F32", "[1]", 0, 4) + "," + entry(UP, "F32", "[1]", 4, 8) + "}",
            new byte[8])
        .hasMessageContaining(UP);
  }

  @Test
  void rejectsAnUnknownDtype() throws IOException {
    opening("{" + entry(UP, "Q4_K", "[2]", 0, 1) + "}", new byte[1])
        .hasMessageContaining(UP)
        .hasMessageContaining("unknown dtype 'Q4_K'");
  }

  @Test
  void rejectsOffsetsThatDisagreeWithDtypeAndShape() throws IOException {
    opening("{" + entry(UP, "BF16", "[2,3]", 0, 24) + "}", new byte[24])
        .hasMessageContaining(UP)
        .hasMessageContaining("needs 12");
  }

  @Test
  void rejectsNegativeDimensions() throws IOException {
    opening("{" + entry(UP, "F32", "[-2,-2]", 0, 16) + "}", new byte[16])
        .hasMessageContaining(UP)
        .hasMessageContaining("negative dimension");
  }

  @Test
  void rejectsShapesWhoseSizeOverflows() throws IOException {
    opening("{" + entry(UP, "F32", "[4294967296,4294967296]", 0, 0) + "}", new byte[0])
        .hasMessageContaining(UP)
        .hasMessageContaining("overflows");
  }

  @Test
  void rejectsOverlappingTensors() throws IOException {
    opening(
            "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry(UP, "F32", "[2]", 4, 12) + "}",
            new byte[12])
        .hasMessageContaining("'" + UP + "'")
        .hasMessageContaining("overlap tensor 'a'");
  }

  @Test
  void rejectsOffsetsPastTheData() throws IOException {
    opening("{" + entry(UP, "F32", "[2]", 1000, 1008) + "}", new byte[8])
        .hasMessageContaining(UP)
        .hasMessageContaining("1008");
  }

  @Test
  void rejectsReversedOffsets() throws IOException {
    opening("{" + entry(UP, "F32", "[0]", 8, 0) + "}", new byte[8])
        .hasMessageContaining(UP)
        .hasMessageContaining("invalid data_offsets");
  }

  @Test
  void rejectsGapsAndTrailingBytes() throws IOException {
    opening(
            "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry(UP, "F32", "[1]", 8, 12) + "}",
            new byte[12])
        .hasMessageContaining(UP)
        .hasMessageContaining("gap");
    opening("{" + entry(UP, "F32", "[1]", 0, 4) + "}", new byte[9])
        .hasMessageContaining("5 trailing bytes");
  }

  @Test
  void rejectsMalformedFields() throws IOException {
    opening("{\"" + UP + "\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])
        .hasMessageContaining(UP)
        .hasMessageContaining("'dtype'");
    opening(
            "{\"" + UP + "\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
            new byte[4])
        .hasMessageContaining(UP)
        .hasMessageContaining("shape");
    opening("{\"" + UP + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4])
        .hasMessageContaining(UP)
        .hasMessageContaining("data_offsets");
    opening("{\"" + UP + "\":[]}", new byte[0]).hasMessageContaining(UP);
    opening("{\"__metadata__\":{\"format\":1}}", new byte[0]).hasMessageContaining("format");
  }

  @Test
  void refusesDtypesAReadMethodCannotConvert() throws IOException {
    Path ok =
        RawFiles.write(
            dir.resolve("ints.safetensors"),
            "{" + entry("ids", "I64", "[2]", 0, 16) + "," + entry("w", "F16", "[2]", 16, 20) + "}",
            ByteBuffer.allocate(20)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(-3)
                .putLong(1L << 40)
                .putShort((short) 0x3C00)
                .putShort((short) 0xC000)
                .array());
    try (TensorStore store = TensorStore.open(ok)) {
      assertThat(store.readLong("ids")).containsExactly(-3L, 1L << 40);
      assertThat(store.readFloat("w")).containsExactly(1f, -2f);
      assertThat(store.readDouble("w")).containsExactly(1.0, -2.0);
      assertThatThrownBy(() -> store.readFloat("ids"))
          .isInstanceOf(SafetensorsException.class)
          .hasMessageContaining("'ids'")
          .hasMessageContaining("I64");
      assertThatThrownBy(() -> store.readInt("ids"))
          .isInstanceOf(SafetensorsException.class)
          .hasMessageContaining("'ids'")
          .hasMessageContaining("does not fit");
    }
  }

  @Test
  void refusesReadsAfterClose() throws IOException {
    Path ok =
        RawFiles.write(
            dir.resolve("ok.safetensors"),
            "{" + entry("a", "F32", "[1]", 0, 4) + "}",
            RawFiles.littleEndianFloats(1));
    TensorStore store = TensorStore.open(ok);
    store.close();
    assertThatThrownBy(() -> store.readFloat("a"))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void rejectsADirectoryWithoutWeights() {
    assertThatThrownBy(() -> TensorStore.open(dir))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(dir.toString());
    assertThatThrownBy(() -> TensorStore.open(dir.resolve("nope.safetensors")))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("nope.safetensors")
        .hasMessageContaining("does not exist");
  }
}
