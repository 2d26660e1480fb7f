package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse file whose second tensor starts past 2 GiB: proves 64-bit offsets end to end while using
 * only a few kilobytes of disk (the 2.5 GiB of zeros in front are a hole).
 */
class LargeOffsetTest {

  @TempDir Path dir;

  @Test
  void readsATensorLyingPastTwoGibibytes() throws IOException {
    long padBytes = 5L << 29; // 2.5 GiB of F32 zeros
    long padElements = padBytes / 4;
    String header =
        ("{\"a.pad\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[0,%d]},"
                + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[%d,%d]}}")
            .formatted(padElements, padBytes, padBytes, padBytes + 16);
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    long dataStart = 8 + h.length;
    Path file = dir.resolve("big.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(dataStart + padBytes + 16);
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
      raf.write(h);
      raf.seek(dataStart + padBytes);
      raf.write(RawFiles.littleEndianFloats(1.5f, -2f, 3.25f, 1e-3f));
    }
    try (TensorStore store = TensorStore.open(file)) {
      TensorInfo b = store.info("b.weight");
      assertThat(b.offset()).isEqualTo(dataStart + padBytes).isGreaterThan(Integer.MAX_VALUE);
      assertThat(store.readFloat("b.weight")).containsExactly(1.5f, -2f, 3.25f, 1e-3f);
      assertThat(store.mapRaw("b.weight").getFloat(8)).isEqualTo(3.25f);
      assertThat(store.info("a.pad").byteLength()).isEqualTo(padBytes);
    }
  }
}
