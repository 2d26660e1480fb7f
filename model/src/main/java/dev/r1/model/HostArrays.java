package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensors made from Java arrays without leaving native memory to the garbage collector.
 *
 * <p>DJL's {@code NDManager.create(float[], Shape)} copies the values into a new direct {@link
 * ByteBuffer} and makes the tensor a view of it ({@code torch::from_blob}); that memory is freed
 * only when the garbage collector finds the buffer, however early the tensor is closed. A training
 * step that builds its attention mask and rotary tables that way leaves about a megabyte per step
 * to the collector (the small benchmark config), and resident memory grew by hundreds of megabytes
 * over 1,000 steps until a major collection, scattering the C allocator's heap on the way.
 *
 * <p>Here the tensor is allocated by libtorch ({@code torch::empty}) and the values are copied into
 * it through a direct buffer that is reused per thread (up to {@value #SCRATCH_LIMIT} bytes) or,
 * for larger arrays such as weights, freed right after the copy. Closing the tensor then frees all
 * of its memory.
 */
public final class HostArrays {

  /** Largest scratch buffer a thread keeps for reuse; larger copies use a buffer freed at once. */
  static final int SCRATCH_LIMIT = 4 << 20;

  private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private HostArrays() {}

  /** A float32 tensor of {@code shape} holding {@code values} (row-major). */
  public static NDArray floats(NDManager m, float[] values, Shape shape) {
    check(values.length, shape);
    ByteBuffer b = buffer(4L * values.length);
    b.asFloatBuffer().put(values);
    return copy(m, b, shape, DataType.FLOAT32);
  }

  /** A float64 tensor of {@code shape} holding {@code values}. */
  public static NDArray doubles(NDManager m, double[] values, Shape shape) {
    check(values.length, shape);
    ByteBuffer b = buffer(8L * values.length);
    b.asDoubleBuffer().put(values);
    return copy(m, b, shape, DataType.FLOAT64);
  }

  /** An int64 tensor of {@code shape} holding {@code values}. */
  public static NDArray longs(NDManager m, long[] values, Shape shape) {
    check(values.length, shape);
    ByteBuffer b = buffer(8L * values.length);
    b.asLongBuffer().put(values);
    return copy(m, b, shape, DataType.INT64);
  }

  /** An int32 tensor of {@code shape} holding {@code values}. */
  public static NDArray ints(NDManager m, int[] values, Shape shape) {
    check(values.length, shape);
    ByteBuffer b = buffer(4L * values.length);
    b.asIntBuffer().put(values);
    return copy(m, b, shape, DataType.INT32);
  }

  /** {@code values} as a tensor of {@code type} (float32 or float64). */
  public static NDArray reals(NDManager m, double[] values, Shape shape, DataType type) {
    if (type == DataType.FLOAT64) {
      return doubles(m, values, shape);
    }
    if (type != DataType.FLOAT32) {
      throw new IllegalArgumentException("real tensors are float32 or float64, not " + type);
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return floats(m, f, shape);
  }

  /** A 0-dimensional tensor of {@code type} (float32 or float64) holding {@code value}. */
  public static NDArray scalar(NDManager m, double value, DataType type) {
    return reals(m, new double[] {value}, new Shape(), type);
  }

  private static void check(int length, Shape shape) {
    if (shape.size() != length) {
      throw new IllegalArgumentException(
          "shape " + shape + " holds " + shape.size() + " values but " + length + " were given");
    }
  }

  private static ByteBuffer buffer(long bytes) {
    if (bytes > SCRATCH_LIMIT) {
      return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }
    ByteBuffer b = SCRATCH.get();
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect((int) Math.max(bytes, 4096)).order(ByteOrder.nativeOrder());
      SCRATCH.set(b);
    }
    b.clear().limit((int) bytes);
    return b;
  }

  /**
   * A tensor that owns a copy of {@code values}: DJL makes a view of the direct buffer (no copy on
   * the CPU, {@code NDArray.set} included), which is cloned into libtorch's memory and closed, so
   * the buffer can be reused or freed.
   */
  private static NDArray copy(NDManager m, ByteBuffer values, Shape shape, DataType type) {
    try (NDArray view = m.create(values.rewind(), shape, type)) {
      return view.duplicate();
    } finally {
      if (values.capacity() > SCRATCH_LIMIT && UNSAFE != null) {
        UNSAFE.invokeCleaner(values); // the copy is done; give the memory back now
      }
    }
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // large buffers are then freed by the garbage collector
    }
  }
}
