package dev.r1.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class HostArraysTest {

  @Test
  void copiesEveryTypeWithItsShape() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray f = HostArrays.floats(m, new float[] {1.5f, -2, 3, 4, 5, 6}, new Shape(2, 3));
      assertEquals(new Shape(2, 3), f.getShape());
      assertEquals(DataType.FLOAT32, f.getDataType());
      assertArrayEquals(new float[] {1.5f, -2, 3, 4, 5, 6}, f.toFloatArray());

      NDArray d = HostArrays.doubles(m, new double[] {Math.PI, -1e-300}, new Shape(2));
      assertArrayEquals(new double[] {Math.PI, -1e-300}, d.toDoubleArray());

      NDArray l = HostArrays.longs(m, new long[] {Long.MAX_VALUE, -7}, new Shape(1, 2));
      assertEquals(DataType.INT64, l.getDataType());
      assertArrayEquals(new long[] {Long.MAX_VALUE, -7}, l.toLongArray());

      NDArray i = HostArrays.ints(m, new int[] {3, -4, 5}, new Shape(3));
      assertArrayEquals(new int[] {3, -4, 5}, i.toIntArray());

      NDArray s = HostArrays.scalar(m, 1.0 / 3, DataType.FLOAT64);
      assertEquals(new Shape(), s.getShape());
      assertEquals(1.0 / 3, s.getDouble(), 0);
      assertEquals((float) (1.0 / 3), HostArrays.scalar(m, 1.0 / 3, DataType.FLOAT32).getFloat());

      NDArray r = HostArrays.reals(m, new double[] {0.1, 0.2}, new Shape(2), DataType.FLOAT32);
      assertArrayEquals(new float[] {0.1f, 0.2f}, r.toFloatArray());
    }
  }

  @Test
  void reusedScratchNeverLeaksAnEarlierArraysValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      HostArrays.floats(m, new float[] {9, 9, 9, 9}, new Shape(4));
      NDArray small = HostArrays.floats(m, new float[] {1, 2}, new Shape(2));
      assertArrayEquals(new float[] {1, 2}, small.toFloatArray());
    }
  }

  @Test
  void arraysLargerThanTheScratchBufferAreCopiedWhole() {
    int n = HostArrays.SCRATCH_LIMIT / 4 + 1000;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5f;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(v, HostArrays.floats(m, v, new Shape(n)).toFloatArray());
    }
  }

  @Test
  void closedTensorsLeaveNoDirectMemoryForTheCollector() {
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    float[] mask = new float[256 * 1024]; // 1 MiB, like a training step's attention mask
    float[] big = new float[HostArrays.SCRATCH_LIMIT / 4 * 2]; // 8 MiB, like a weight matrix
    try (NDManager m = NDManager.newBaseManager()) {
      HostArrays.floats(m, mask, new Shape(mask.length)).close(); // scratch buffer in place
      long before = direct.getMemoryUsed();
      for (int i = 0; i < 50; i++) {
        HostArrays.floats(m, mask, new Shape(mask.length)).close();
        HostArrays.floats(m, big, new Shape(big.length)).close();
      }
      long grown = direct.getMemoryUsed() - before;
      // DJL's manager.create leaves 450 MiB here until a garbage collection
      assertTrue(grown < 16 << 20, "direct memory grew by " + grown + " bytes");
    }
  }

  @Test
  void aShapeThatDoesNotHoldTheValuesIsRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> HostArrays.floats(m, new float[3], new Shape(2, 2)));
      assertTrue(e.getMessage().contains("(2, 2)"), e.getMessage());
    }
  }
}
