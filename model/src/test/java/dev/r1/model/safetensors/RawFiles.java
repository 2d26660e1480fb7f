package dev.r1.model.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, independent of the writer under test. */
final class RawFiles {

  private RawFiles() {}

  /** 8-byte little-endian length of {@code header}, the header itself, then {@code data}. */
  static byte[] bytes(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length)
        .put(h)
        .put(data)
        .array();
  }

  static Path write(Path file, String header, byte[] data) throws IOException {
    return Files.write(file, bytes(header, data));
  }

  static byte[] littleEndianFloats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] littleEndianShorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  static Path fixtures() {
    return Path.of(System.getProperty("r1.fixtures", "../shared/fixtures"));
  }
}
