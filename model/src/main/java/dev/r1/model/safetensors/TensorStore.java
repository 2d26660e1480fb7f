package dev.r1.model.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Read access to the tensors of a Hugging Face checkpoint in safetensors format: one file or a
 * sharded set named by {@code model.safetensors.index.json}. Headers are validated on open; tensor
 * data is memory-mapped region by region when read, so files over 2 GiB work and no file is ever
 * read into one array. Half-precision data is widened to float in Java.
 *
 * <pre>{@code
 * try (TensorStore store = TensorStore.open(modelDir)) {
 *   float[] w = store.readFloat("model.embed_tokens.weight");
 *   long[] shape = store.info("model.embed_tokens.weight").shape();
 * }
 * }</pre>
 *
 * <p>Safe for concurrent reads; reading after {@link #close()} throws.
 */
public final class TensorStore implements AutoCloseable {

  /** File name of a single-file checkpoint. */
  public static final String SINGLE_FILE = "model.safetensors";

  /** File name of a sharded checkpoint's index. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  /** Largest region mapped at once; a multiple of every element size. */
  private static final int DEFAULT_CHUNK_BYTES = 1 << 30;

  /** Largest Java array we allocate. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final Path source;
  private final Map<String, TensorInfo> tensors;
  private final Map<Path, SafetensorsFile> files;
  private final Map<String, String> metadata;
  private final int chunkBytes;
  private volatile boolean closed;

  private TensorStore(
      Path source,
      Map<String, TensorInfo> tensors,
      Map<Path, SafetensorsFile> files,
      Map<String, String> metadata,
      int chunkBytes) {
    this.source = source;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.files = files;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.chunkBytes = chunkBytes;
  }

  /**
   * Opens a checkpoint. {@code path} may be a model directory (holding {@value #INDEX_FILE}, which
   * wins, or {@value #SINGLE_FILE}), an index file ending in {@code .index.json}, or any single
   * {@code .safetensors} file.
   *
   * @throws SafetensorsException if a file is missing, truncated or has an invalid header
   */
  public static TensorStore open(Path path) {
    return open(path, DEFAULT_CHUNK_BYTES);
  }

  /** As {@link #open(Path)}, mapping at most {@code chunkBytes} at once (tests use small ones). */
  static TensorStore open(Path path, int chunkBytes) {
    if (chunkBytes <= 0 || chunkBytes % 8 != 0) {
      throw new IllegalArgumentException("chunkBytes must be a positive multiple of 8");
    }
    if (Files.isDirectory(path)) {
      Path index = path.resolve(INDEX_FILE);
      Path single = path.resolve(SINGLE_FILE);
      if (Files.exists(index)) {
        return openSharded(index, chunkBytes);
      }
      if (Files.exists(single)) {
        return openSingle(single, chunkBytes);
      }
      throw new SafetensorsException(
          "directory " + path + " holds neither " + INDEX_FILE + " nor " + SINGLE_FILE);
    }
    if (path.getFileName() != null && path.getFileName().toString().endsWith(".index.json")) {
      return openSharded(path, chunkBytes);
    }
    return openSingle(path, chunkBytes);
  }

  private static TensorStore openSingle(Path file, int chunkBytes) {
    SafetensorsFile f = SafetensorsFile.open(file);
    Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
    files.put(file, f);
    return new TensorStore(
        file, new TreeMap<>(f.tensors()), files, new LinkedHashMap<>(f.metadata()), chunkBytes);
  }

  private static TensorStore openSharded(Path index, int chunkBytes) {
    JsonNode root;
    try {
      root = SafetensorsHeader.JSON.readTree(Files.readAllBytes(index));
    } catch (JacksonException e) {
      throw new SafetensorsException(
          "index " + index + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SafetensorsException("cannot read index " + index + ": " + e, e);
    }
    JsonNode weightMap = root == null ? null : root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new SafetensorsException("index " + index + " has no 'weight_map' object");
    }
    Path dir = index.toAbsolutePath().getParent();
    Map<String, Path> shardOf = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsException(
            "index " + index + ": weight_map entry for tensor '" + e.getKey() + "' is no string");
      }
      String shardName = e.getValue().textValue();
      Path shard = dir.resolve(shardName).normalize();
      if (!shard.startsWith(dir) || shard.equals(dir)) {
        throw new SafetensorsException(
            "index "
                + index
                + ": shard '"
                + shardName
                + "' for tensor '"
                + e.getKey()
                + "' lies outside "
                + dir);
      }
      if (!Files.isRegularFile(shard)) {
        throw new SafetensorsException(
            "shard file "
                + shard
                + " named by index "
                + index
                + " for tensor '"
                + e.getKey()
                + "' does not exist");
      }
      shardOf.put(e.getKey(), shard);
    }
    Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
    try {
      Map<String, TensorInfo> tensors = new TreeMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : shardOf.entrySet()) {
        SafetensorsFile f = files.get(e.getValue());
        if (f == null) {
          f = SafetensorsFile.open(e.getValue());
          files.put(e.getValue(), f);
          f.metadata().forEach(metadata::putIfAbsent);
        }
        TensorInfo info = f.tensors().get(e.getKey());
        if (info == null) {
          throw new SafetensorsException(
              "tensor '"
                  + e.getKey()
                  + "' not found in "
                  + e.getValue()
                  + " although index "
                  + index
                  + " maps it there");
        }
        tensors.put(e.getKey(), info);
      }
      JsonNode indexMeta = root.get("metadata");
      if (indexMeta != null && indexMeta.isObject()) {
        for (Map.Entry<String, JsonNode> e : indexMeta.properties()) {
          JsonNode v = e.getValue();
          metadata.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
        }
      }
      TensorStore store = new TensorStore(index, tensors, files, metadata, chunkBytes);
      files = null;
      return store;
    } finally {
      if (files != null) {
        files.values().forEach(SafetensorsFile::close);
      }
    }
  }

  /** The path this store was opened from (a single file or the index). */
  public Path source() {
    return source;
  }

  /** The files holding the data, in the order they were opened. */
  public List<Path> files() {
    return List.copyOf(files.keySet());
  }

  /** Tensor names, sorted. */
  public Set<String> names() {
    return tensors.keySet();
  }

  /** Whether a tensor of that name exists. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * Where a tensor lies and what it holds.
   *
   * @throws SafetensorsException if there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new SafetensorsException("tensor '" + name + "' not found in " + source);
    }
    return info;
  }

  /**
   * The {@code __metadata__} of the file (for a sharded checkpoint: of all shards, first one wins,
   * plus the index's {@code metadata}, e.g. {@code total_size}, as strings).
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads a floating-point tensor (F32, F16, BF16 widened exactly; F64 rounded to float).
   *
   * @throws SafetensorsException for an unknown name or a non-float dtype
   */
  public float[] readFloat(String name) {
    TensorInfo info = infoFor(name, "readFloat", Dtype::isFloatingPoint);
    float[] out = new float[elements(info)];
    switch (info.dtype()) {
      case F32 -> forEachChunk(info, (b, at, n) -> b.asFloatBuffer().get(out, at, n));
      case F64 ->
          forEachChunk(
              info,
              (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                  out[at + i] = (float) b.getDouble(i * 8);
                }
              });
      case BF16 ->
          forEachChunk(
              info,
              (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                  out[at + i] = FloatFormats.bf16ToFloat(b.getShort(i * 2));
                }
              });
      case F16 ->
          forEachChunk(
              info,
              (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                  out[at + i] = FloatFormats.halfToFloat(b.getShort(i * 2));
                }
              });
      default -> throw new IllegalStateException(info.dtype().name());
    }
    return out;
  }

  /**
   * Reads a floating-point tensor as doubles (every float dtype widens exactly).
   *
   * @throws SafetensorsException for an unknown name or a non-float dtype
   */
  public double[] readDouble(String name) {
    TensorInfo info = infoFor(name, "readDouble", Dtype::isFloatingPoint);
    if (info.dtype() == Dtype.F64) {
      double[] out = new double[elements(info)];
      forEachChunk(info, (b, at, n) -> b.asDoubleBuffer().get(out, at, n));
      return out;
    }
    float[] f = readFloat(name);
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /**
   * Reads an integer tensor (I64, I32, I16, I8, U8, BOOL as 0/1) as longs.
   *
   * @throws SafetensorsException for an unknown name or a non-integer dtype
   */
  public long[] readLong(String name) {
    TensorInfo info = infoFor(name, "readLong", Dtype::isInteger);
    long[] out = new long[elements(info)];
    Dtype dtype = info.dtype();
    forEachChunk(
        info,
        (b, at, n) -> {
          switch (dtype) {
            case I64 -> b.asLongBuffer().get(out, at, n);
            case I32 -> {
              for (int i = 0; i < n; i++) {
                out[at + i] = b.getInt(i * 4);
              }
            }
            case I16 -> {
              for (int i = 0; i < n; i++) {
                out[at + i] = b.getShort(i * 2);
              }
            }
            case I8 -> {
              for (int i = 0; i < n; i++) {
                out[at + i] = b.get(i);
              }
            }
            default -> { // U8, BOOL
              for (int i = 0; i < n; i++) {
                out[at + i] = b.get(i) & 0xFF;
              }
            }
          }
        });
    return out;
  }

  /**
   * Reads an integer tensor as ints: I32, I16, I8, U8, BOOL directly; I64 if every value fits.
   *
   * @throws SafetensorsException for an unknown name, a non-integer dtype or an I64 value out of
   *     int range
   */
  public int[] readInt(String name) {
    long[] values = readLong(name);
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] != (int) values[i]) {
        throw new SafetensorsException(
            "tensor '"
                + name
                + "' in "
                + source
                + ": element "
                + i
                + " = "
                + values[i]
                + " does not fit an int");
      }
      out[i] = (int) values[i];
    }
    return out;
  }

  /**
   * Maps a tensor's raw little-endian bytes read-only, e.g. to hand them to a native array without
   * an extra copy. The buffer stays valid after {@link #close()} until it is garbage collected.
   *
   * @throws SafetensorsException for an unknown name or a tensor of 2 GiB or more
   */
  public ByteBuffer mapRaw(String name) {
    TensorInfo info = infoFor(name, "mapRaw", d -> true);
    if (info.byteLength() > Integer.MAX_VALUE) {
      throw new SafetensorsException(
          "tensor '"
              + name
              + "' in "
              + info.file()
              + " has "
              + info.byteLength()
              + " bytes, too many for one ByteBuffer; use readFloat");
    }
    return map(info, 0, (int) info.byteLength()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private TensorInfo infoFor(String name, String method, java.util.function.Predicate<Dtype> ok) {
    if (closed) {
      throw new SafetensorsException(
          "cannot read tensor '" + name + "': store " + source + " is closed");
    }
    TensorInfo info = info(name);
    if (!ok.test(info.dtype())) {
      throw new SafetensorsException(
          "tensor '"
              + name
              + "' in "
              + info.file()
              + " has dtype "
              + info.dtype()
              + ", which "
              + method
              + " does not read");
    }
    return info;
  }

  private static int elements(TensorInfo info) {
    long n = info.numel();
    if (n > MAX_ARRAY) {
      throw new SafetensorsException(
          "tensor '"
              + info.name()
              + "' in "
              + info.file()
              + " has "
              + n
              + " elements, more than a Java array holds");
    }
    return (int) n;
  }

  /** Receives one mapped little-endian chunk holding {@code n} elements for {@code out[at..]}. */
  private interface ChunkReader {
    void read(ByteBuffer chunk, int at, int n);
  }

  private void forEachChunk(TensorInfo info, ChunkReader reader) {
    int elementSize = info.dtype().byteSize();
    long total = info.byteLength();
    long done = 0;
    while (done < total) {
      int length = (int) Math.min(chunkBytes, total - done);
      reader.read(map(info, done, length), (int) (done / elementSize), length / elementSize);
      done += length;
    }
  }

  private ByteBuffer map(TensorInfo info, long from, int length) {
    SafetensorsFile file = files.get(info.file());
    try {
      MappedByteBuffer buffer =
          file.channel().map(FileChannel.MapMode.READ_ONLY, info.offset() + from, length);
      return buffer.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SafetensorsException(
          "cannot map tensor '" + info.name() + "' from " + info.file() + ": " + e, e);
    }
  }

  /** Closes every file; mapped buffers already handed out stay readable. */
  @Override
  public void close() {
    closed = true;
    List<SafetensorsFile> open = new ArrayList<>(files.values());
    open.forEach(SafetensorsFile::close);
  }
}
