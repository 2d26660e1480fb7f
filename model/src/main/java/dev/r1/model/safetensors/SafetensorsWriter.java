package dev.r1.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes float tensors as safetensors the way Hugging Face tools do: tensors sorted by name, data
 * in that order, {@code __metadata__} with {@code "format": "pt"}, and the header padded with
 * spaces to a multiple of 8 bytes. Stores F32 (bit-exact), BF16 or F16 (rounded to nearest even).
 * Files are written to a temporary name and moved into place.
 *
 * <pre>{@code
 * new SafetensorsWriter(Dtype.BF16).writeCheckpoint(dir, tensors, 5L << 30);
 * }</pre>
 */
public final class SafetensorsWriter {

  private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

  private static final int BUFFER_BYTES = 1 << 20;

  private final Dtype dtype;
  private final Map<String, String> metadata;

  /** A writer storing F32. */
  public SafetensorsWriter() {
    this(Dtype.F32);
  }

  /**
   * A writer storing the given dtype.
   *
   * @param dtype F32, BF16 or F16
   */
  public SafetensorsWriter(Dtype dtype) {
    this(dtype, Map.of("format", "pt"));
  }

  private SafetensorsWriter(Dtype dtype, Map<String, String> metadata) {
    if (dtype != Dtype.F32 && dtype != Dtype.BF16 && dtype != Dtype.F16) {
      throw new IllegalArgumentException("can write F32, BF16 or F16, not " + dtype);
    }
    this.dtype = dtype;
    this.metadata = metadata;
  }

  /** A copy of this writer that also stores {@code key: value} in {@code __metadata__}. */
  public SafetensorsWriter withMetadata(String key, String value) {
    Map<String, String> m = new TreeMap<>(metadata);
    m.put(key, value);
    return new SafetensorsWriter(dtype, Map.copyOf(m));
  }

  /** The dtype this writer stores. */
  public Dtype dtype() {
    return dtype;
  }

  /** Writes one F32 safetensors file. */
  public static void writeF32(Path file, Map<String, TensorData> tensors) {
    new SafetensorsWriter().writeFile(file, tensors);
  }

  /**
   * Writes all tensors into one file, replacing it if it exists.
   *
   * @throws SafetensorsException for an invalid tensor name
   * @throws UncheckedIOException if writing fails
   */
  public void writeFile(Path file, Map<String, TensorData> tensors) {
    TreeMap<String, TensorData> sorted = new TreeMap<>(tensors);
    sorted.keySet().forEach(SafetensorsWriter::checkName);
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = newTempFile(dir, file.getFileName().toString());
      try {
        try (FileChannel out =
            FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          writeHeader(out, sorted);
          ByteBuffer buffer =
              ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
          for (TensorData t : sorted.values()) {
            writeData(out, t.data(), buffer);
          }
          out.force(true);
        }
        moveIntoPlace(tmp, file);
        tmp = null;
      } finally {
        if (tmp != null) {
          Files.deleteIfExists(tmp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write safetensors file " + file, e);
    }
  }

  /**
   * Writes a Hugging Face checkpoint into {@code dir}: {@code model.safetensors} when the data fits
   * in {@code maxShardBytes}, else shards {@code model-00001-of-0000N.safetensors} (a new shard
   * starts when the next tensor would push the current one past the limit; a larger tensor gets a
   * shard of its own) plus {@code model.safetensors.index.json} with {@code metadata.total_size}
   * and the {@code weight_map}. Weight files of an earlier checkpoint in {@code dir} (single file,
   * index, shards) that this call did not write are deleted, so the directory opens consistently.
   *
   * @return the files written, the index last when there is one
   */
  public List<Path> writeCheckpoint(Path dir, Map<String, TensorData> tensors, long maxShardBytes) {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
    }
    TreeMap<String, TensorData> sorted = new TreeMap<>(tensors);
    sorted.keySet().forEach(SafetensorsWriter::checkName);
    List<Map<String, TensorData>> shards = new ArrayList<>();
    Map<String, TensorData> current = new TreeMap<>();
    long currentBytes = 0;
    long totalBytes = 0;
    for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
      long bytes = (long) e.getValue().data().length * dtype.byteSize();
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new TreeMap<>();
        currentBytes = 0;
      }
      current.put(e.getKey(), e.getValue());
      currentBytes += bytes;
      totalBytes += bytes;
    }
    shards.add(current);

    List<Path> written = new ArrayList<>();
    if (shards.size() == 1) {
      Path file = dir.resolve(TensorStore.SINGLE_FILE);
      writeFile(file, sorted);
      written.add(file);
    } else {
      Map<String, String> weightMap = new TreeMap<>();
      for (int i = 0; i < shards.size(); i++) {
        String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        Path file = dir.resolve(name);
        writeFile(file, shards.get(i));
        written.add(file);
        shards.get(i).keySet().forEach(t -> weightMap.put(t, name));
      }
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("metadata", Map.of("total_size", totalBytes));
      index.put("weight_map", weightMap);
      Path indexFile = dir.resolve(TensorStore.INDEX_FILE);
      try {
        byte[] json =
            SafetensorsHeader.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
        Path tmp = newTempFile(dir, TensorStore.INDEX_FILE);
        Files.write(tmp, json);
        moveIntoPlace(tmp, indexFile);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write index " + indexFile, e);
      }
      written.add(indexFile);
    }
    deleteStaleWeights(dir, written);
    return written;
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty() || SafetensorsHeader.METADATA_KEY.equals(name)) {
      throw new SafetensorsException("invalid tensor name '" + name + "'");
    }
  }

  private void writeHeader(FileChannel out, Map<String, TensorData> sorted) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put(SafetensorsHeader.METADATA_KEY, new TreeMap<>(metadata));
    long offset = 0;
    for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
      long bytes = (long) e.getValue().data().length * dtype.byteSize();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", dtype.name());
      entry.put("shape", e.getValue().shape());
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      header.put(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json;
    try {
      json = SafetensorsHeader.JSON.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IOException("cannot serialise header", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    writeFully(out, head);
  }

  private void writeData(FileChannel out, float[] data, ByteBuffer buffer) throws IOException {
    buffer.clear();
    for (float v : data) {
      if (buffer.remaining() < 4) {
        buffer.flip();
        writeFully(out, buffer);
        buffer.clear();
      }
      switch (dtype) {
        case F32 -> buffer.putFloat(v);
        case BF16 -> buffer.putShort(FloatFormats.floatToBf16(v));
        default -> buffer.putShort(FloatFormats.floatToHalf(v));
      }
    }
    buffer.flip();
    writeFully(out, buffer);
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteStaleWeights(Path dir, List<Path> written) {
    Set<Path> keep = new HashSet<>();
    written.forEach(p -> keep.add(p.toAbsolutePath().normalize()));
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        boolean weights =
            name.equals(TensorStore.SINGLE_FILE)
                || name.equals(TensorStore.INDEX_FILE)
                || SHARD_NAME.matcher(name).matches();
        if (weights && !keep.contains(p.toAbsolutePath().normalize())) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean stale weight files in " + dir, e);
    }
  }

  /** A fresh temporary file next to {@code target}, created with default permissions. */
  private static Path newTempFile(Path dir, String target) throws IOException {
    while (true) {
      Path tmp =
          dir.resolve(
              "."
                  + target
                  + "."
                  + Long.toHexString(ThreadLocalRandom.current().nextLong())
                  + ".tmp");
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        // try another name
      }
    }
  }
}
