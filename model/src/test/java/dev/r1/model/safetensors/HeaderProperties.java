package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.model.JsonArbitraries;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties for the safetensors header: mutated valid headers and arbitrary file bytes
 * either parse into a layout that tiles the data section, or fail with a {@link
 * SafetensorsException} naming the file; nothing else escapes.
 */
class HeaderProperties {

  // a: F32[2,3] = 24 bytes, b: I64[2] = 16 bytes, c: F16[] = 2 bytes
  static final String VALID =
      """
      {"__metadata__":{"format":"pt"},
       "a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
       "b":{"dtype":"I64","shape":[2],"data_offsets":[24,40]},
       "c":{"dtype":"F16","shape":[],"data_offsets":[40,42]}}
      """;

  @Provide
  Arbitrary<String> headers() {
    return JsonArbitraries.mutations(
        VALID, List.of("dtype", "shape", "data_offsets", "__metadata__", "a"));
  }

  @Property(tries = 500)
  void mutatedHeadersParseOrFailWithTheSource(
      @ForAll("headers") String header, @ForAll @IntRange(min = 0, max = 64) int dataLength) {
    try {
      SafetensorsHeader parsed =
          SafetensorsHeader.parse(header.getBytes(StandardCharsets.UTF_8), dataLength, "p.st");
      long covered = 0;
      for (SafetensorsHeader.Entry e : parsed.entries()) {
        assertThat(e.begin()).isBetween(0L, e.end());
        covered += e.end() - e.begin();
      }
      assertThat(covered).isEqualTo(dataLength);
    } catch (SafetensorsException e) {
      assertThat(e.getMessage()).contains("p.st");
    }
  }

  @Property(tries = 300)
  void arbitraryFilesOnlyThrowSafetensorsException(
      @ForAll @Size(max = 80) byte[] tail,
      @ForAll("headerLengths") long headerLength,
      @ForAll("headers") String header)
      throws Exception {
    Path file = Files.createTempFile("prop", ".safetensors");
    try {
      byte[] h = header.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + h.length + tail.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(headerLength == -1 ? h.length : headerLength).put(h).put(tail);
      Files.write(file, b.array());
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        assertThat(f).isNotNull();
      } catch (SafetensorsException e) {
        assertThat(e.getMessage()).contains(file.toString());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** -1 means "the true header length"; otherwise lengths around the edges. */
  @Provide
  Arbitrary<Long> headerLengths() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.just(-1L)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.of(
                0L, 1L, 7L, Long.MAX_VALUE, Long.MIN_VALUE, 100_000_001L, 0xFFFFFFFFL, -2L)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 400)));
  }
}
