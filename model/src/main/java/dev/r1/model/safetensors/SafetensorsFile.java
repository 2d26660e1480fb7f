package dev.r1.model.safetensors;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** One open safetensors file: its validated header and the channel its tensors are mapped from. */
final class SafetensorsFile implements Closeable {

  private final Path path;
  private final FileChannel channel;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> meta) {
    this.path = path;
    this.channel = channel;
    this.tensors = tensors;
    this.metadata = meta;
  }

  static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new SafetensorsException("safetensors file " + path + " does not exist", e);
    } catch (IOException e) {
      throw new SafetensorsException("cannot open safetensors file " + path + ": " + e, e);
    }
    try {
      SafetensorsFile file = read(path, channel);
      channel = null;
      return file;
    } finally {
      if (channel != null) {
        closeQuietly(channel);
      }
    }
  }

  private static SafetensorsFile read(Path path, FileChannel channel) {
    String source = path.toString();
    try {
      long size = channel.size();
      if (size < 8) {
        throw new SafetensorsException(
            source + " is " + size + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, prefix, 0);
      long headerLength = prefix.getLong(0);
      if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
        throw new SafetensorsException(
            source
                + ": header length "
                + Long.toUnsignedString(headerLength)
                + " exceeds the "
                + SafetensorsHeader.MAX_HEADER_BYTES
                + "-byte limit (corrupt file or not safetensors)");
      }
      if (headerLength > size - 8) {
        throw new SafetensorsException(
            source
                + ": header length "
                + headerLength
                + " exceeds the "
                + (size - 8)
                + " bytes that follow it (file truncated or not safetensors)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8);
      long dataStart = 8 + headerLength;
      SafetensorsHeader parsed = SafetensorsHeader.parse(header.array(), size - dataStart, source);
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      for (SafetensorsHeader.Entry e : parsed.entries()) {
        tensors.put(
            e.name(),
            new TensorInfo(
                e.name(), e.dtype(), e.shape(), path, dataStart + e.begin(), e.end() - e.begin()));
      }
      return new SafetensorsFile(path, channel, tensors, parsed.metadata());
    } catch (IOException e) {
      throw new SafetensorsException("cannot read header of " + source + ": " + e, e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer dst, long position)
      throws IOException {
    while (dst.hasRemaining()) {
      int n = channel.read(dst, position + dst.position());
      if (n < 0) {
        throw new IOException("unexpected end of file at " + (position + dst.position()));
      }
    }
  }

  Path path() {
    return path;
  }

  FileChannel channel() {
    return channel;
  }

  /** Tensors in header order. */
  Map<String, TensorInfo> tensors() {
    return tensors;
  }

  Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing useful to do: the file was only read
    }
  }
}
