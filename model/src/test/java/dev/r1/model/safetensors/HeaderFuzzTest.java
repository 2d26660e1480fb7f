package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property-style fuzzing with seeded generators: no header bytes, JSON or corrupted file makes the
 * reader throw anything but {@link SafetensorsException} (no NPE, IndexOutOfBounds, OOM, stack
 * overflow), and every accepted header tiles its data section. Failures print the seed and input.
 */
class HeaderFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SOURCE = "fuzz.safetensors";

  @TempDir Path dir;

  /** Parses, returning whether the header was accepted; any other throwable fails the test. */
  private static boolean parses(byte[] header, long dataLength, String context) {
    try {
      SafetensorsHeader parsed = SafetensorsHeader.parse(header, dataLength, SOURCE);
      long covered = 0;
      for (SafetensorsHeader.Entry e : parsed.entries()) {
        assertThat(e.begin()).as(context).isBetween(0L, e.end());
        assertThat(e.end()).as(context).isLessThanOrEqualTo(dataLength);
        covered += e.end() - e.begin();
      }
      assertThat(covered).as(context).isEqualTo(dataLength);
      return true;
    } catch (SafetensorsException expected) {
      assertThat(expected.getMessage()).as(context).contains(SOURCE);
      return false;
    } catch (Throwable unexpected) {
      throw new AssertionError("unexpected " + unexpected + " for " + context, unexpected);
    }
  }

  private static String show(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void randomBytesOnlyThrowSafetensorsException() {
    for (long seed = 0; seed < 3000; seed++) {
      Random r = new Random(seed);
      byte[] header = new byte[r.nextInt(200)];
      r.nextBytes(header);
      if (r.nextBoolean() && header.length > 0) {
        header[0] = '{'; // get past the first JSON token more often
      }
      long data = r.nextInt(4097);
      parses(header, data, "seed " + seed + ": " + Arrays.toString(header));
    }
  }

  @Test
  void randomJsonOnlyThrowsSafetensorsException() {
    int accepted = 0;
    for (long seed = 0; seed < 3000; seed++) {
      Random r = new Random(seed);
      String header = jsonHeader(r);
      long data = r.nextBoolean() ? r.nextInt(65) : largestEnd(header);
      if (parses(header.getBytes(StandardCharsets.UTF_8), data, "seed " + seed + ": " + header)) {
        accepted++;
      }
    }
    // the generator must reach the accepting paths too, or the test checks too little
    assertThat(accepted).isGreaterThan(300);
  }

  /** The largest data_offsets end in a generated header, so that the data length can match. */
  private static long largestEnd(String header) {
    long max = 0;
    try {
      for (var entry : JSON.readTree(header).properties()) {
        var end = entry.getValue().path("data_offsets").path(1);
        if (end.canConvertToLong()) {
          max = Math.max(max, end.asLong());
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0; // duplicate keys and the like: any length will do
    }
    return max;
  }

  @Test
  void validHeadersParseAndSurviveOneCorruptedValue() {
    int rejected = 0;
    for (long seed = 0; seed < 2000; seed++) {
      Random r = new Random(seed);
      Map.Entry<String, Long> valid = validHeader(r);
      String h = valid.getKey();
      assertThat(parses(h.getBytes(StandardCharsets.UTF_8), valid.getValue(), h)).isTrue();
      List<Integer> starts = new ArrayList<>();
      for (int i = 1; i < h.length(); i++) {
        char prev = h.charAt(i - 1);
        if ((prev == ':' || prev == '[' || prev == ',') && h.charAt(i) != '{') {
          starts.add(i);
        }
      }
      int s = starts.get(r.nextInt(starts.size()));
      int e = s;
      while (e < h.length() && ",]}".indexOf(h.charAt(e)) < 0) {
        e++;
      }
      String mutated = h.substring(0, s) + jsonValue(r, 2) + h.substring(e);
      if (!parses(mutated.getBytes(StandardCharsets.UTF_8), valid.getValue(), "seed " + seed)) {
        rejected++;
      }
    }
    assertThat(rejected).isGreaterThan(1000);
  }

  @Test
  void corruptedFilesOnlyThrowSafetensorsException() throws IOException {
    int opened = 0;
    for (long seed = 0; seed < 400; seed++) {
      Random r = new Random(seed);
      Map.Entry<String, Long> valid = validHeader(r);
      byte[] data = new byte[(int) (long) valid.getValue()];
      r.nextBytes(data);
      byte[] raw = RawFiles.bytes(valid.getKey(), data);
      int flips = r.nextInt(4);
      for (int i = 0; i < flips; i++) {
        raw[r.nextInt(raw.length)] ^= (byte) (1 + r.nextInt(255));
      }
      if (r.nextInt(3) == 0) {
        raw = Arrays.copyOf(raw, r.nextInt(raw.length + 1));
      }
      Path file = Files.write(dir.resolve("f" + seed + ".safetensors"), raw);
      try (TensorStore store = TensorStore.open(file)) {
        for (String name : store.names()) {
          TensorInfo info = store.info(name);
          if (info.dtype().isFloatingPoint()) {
            assertThat(store.readFloat(name)).hasSize((int) info.numel());
          } else if (info.dtype().isInteger()) {
            assertThat(store.readLong(name)).hasSize((int) info.numel());
          } else {
            assertThat(store.mapRaw(name).remaining()).isEqualTo((int) info.byteLength());
          }
        }
        opened++;
      } catch (SafetensorsException expected) {
        assertThat(expected.getMessage()).contains(file.toString());
      } catch (Throwable unexpected) {
        fail("seed " + seed + ": unexpected " + unexpected + " for " + show(raw), unexpected);
      }
      Files.delete(file);
    }
    assertThat(opened).isGreaterThan(50).isLessThan(400);
  }

  @Test
  void deeplyNestedJsonIsRejectedWithoutStackOverflow() {
    byte[] deep = "[".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> SafetensorsHeader.parse(deep, 0, SOURCE))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(SOURCE);
    byte[] deepObject = "{\"a\":".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> SafetensorsHeader.parse(deepObject, 0, SOURCE))
        .isInstanceOf(SafetensorsException.class);
  }

  // ---- generators ----

  private static String jsonHeader(Random r) {
    int n = r.nextInt(5);
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String value = r.nextInt(3) > 0 ? plausibleEntry(r) : jsonValue(r, 2);
      entries.add(quote(name(r)) + ":" + value);
    }
    return "{" + String.join(",", entries) + "}";
  }

  private static String plausibleEntry(Random r) {
    String dtype =
        r.nextInt(6) > 0
            ? Dtype.values()[r.nextInt(Dtype.values().length)].name()
            : new String[] {"f32", "Q4", ""}[r.nextInt(3)];
    List<Integer> shape = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      shape.add(r.nextInt(7) - 1);
    }
    List<Long> offsets = new ArrayList<>();
    int count = r.nextInt(5) > 0 ? 2 : r.nextInt(4);
    for (int i = 0; i < count; i++) {
      offsets.add((long) r.nextInt(72) - 1);
    }
    if (offsets.size() == 2 && r.nextBoolean()) {
      offsets.set(0, 0L); // a single tensor starting at 0 is often valid
    }
    return "{\"dtype\":"
        + quote(dtype)
        + ",\"shape\":"
        + shape
        + ",\"data_offsets\":"
        + offsets
        + "}";
  }

  private static String name(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> "__metadata__";
      case 1 -> "model.layers.0.mlp.up_proj.weight";
      default -> randomString(r, 6);
    };
  }

  private static String jsonValue(Random r, int depth) {
    int kind = r.nextInt(depth == 0 ? 6 : 8);
    switch (kind) {
      case 0:
        return String.valueOf(r.nextLong());
      case 1:
        return String.valueOf(r.nextInt(73) - 2);
      case 2:
        return new String[] {
              "1.5", "-0.0", "1e400", "99999999999999999999999", "true", "false", "null", "\"\""
            }
            [r.nextInt(8)];
      case 3:
        return quote(Dtype.values()[r.nextInt(Dtype.values().length)].name());
      case 4:
      case 5:
        return quote(randomString(r, 8));
      case 6:
        {
          List<String> items = new ArrayList<>();
          for (int i = r.nextInt(5); i > 0; i--) {
            items.add(jsonValue(r, depth - 1));
          }
          return "[" + String.join(",", items) + "]";
        }
      default:
        {
          String[] keys = {"dtype", "shape", "data_offsets", "format", "x"};
          List<String> items = new ArrayList<>();
          for (int i = r.nextInt(5); i > 0; i--) {
            items.add(quote(keys[r.nextInt(keys.length)]) + ":" + jsonValue(r, depth - 1));
          }
          return "{" + String.join(",", items) + "}";
        }
    }
  }

  private static String randomString(Random r, int maxLength) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(maxLength + 1); i > 0; i--) {
      sb.append((char) (r.nextBoolean() ? 'a' + r.nextInt(26) : r.nextInt(0x3000)));
    }
    return sb.toString();
  }

  /** A valid header (as JSON text) and the exact length of its data section. */
  private static Map.Entry<String, Long> validHeader(Random r) {
    Map<String, Object> header = new TreeMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (int i = r.nextInt(6); i > 0; i--) {
      Dtype dtype = Dtype.values()[r.nextInt(Dtype.values().length)];
      List<Integer> shape = new ArrayList<>();
      long numel = 1;
      for (int d = r.nextInt(4); d > 0; d--) {
        int dim = r.nextInt(5);
        shape.add(dim);
        numel *= dim;
      }
      long bytes = numel * dtype.byteSize();
      header.put(
          "t" + i,
          Map.of(
              "dtype", dtype.name(),
              "shape", shape,
              "data_offsets", List.of(offset, offset + bytes)));
      offset += bytes;
    }
    return Map.entry(quote(header), offset);
  }

  private static String quote(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
