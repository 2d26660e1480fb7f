package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtypeReadTest {

  @TempDir Path dir;

  @Test
  void readsEveryNumericDtype() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    data.putDouble(0.1).putDouble(-1e300); // F64 [0,16)
    data.putInt(-7).putInt(Integer.MAX_VALUE); // I32 [16,24)
    data.putShort((short) -300).putShort((short) 300); // I16 [24,28)
    data.put((byte) -1).put((byte) 5); // I8 [28,30)
    data.put((byte) 0xFF).put((byte) 0); // U8 [30,32)
    data.put((byte) 1).put((byte) 0); // BOOL [32,34)
    data.putShort((short) 0x0001).putShort((short) 0x7C00); // F16 [34,38)
    String header =
        "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
            + "\"s\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[24,28]},"
            + "\"b\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[28,30]},"
            + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]},"
            + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[34,38]},"
            + "\"__metadata__\":null}";
    byte[] bytes = new byte[38];
    data.flip().get(bytes);
    Path file = RawFiles.write(dir.resolve("all.safetensors"), header, bytes);
    try (TensorStore store = TensorStore.open(file)) {
      assertThat(store.readDouble("d")).containsExactly(0.1, -1e300);
      assertThat(store.readFloat("d")).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
      assertThat(store.readInt("i")).containsExactly(-7, Integer.MAX_VALUE);
      assertThat(store.readLong("s")).containsExactly(-300L, 300L);
      assertThat(store.readInt("b")).containsExactly(-1, 5);
      assertThat(store.readInt("u")).containsExactly(255, 0);
      assertThat(store.readInt("m")).containsExactly(1, 0);
      assertThat(store.readFloat("h")).containsExactly(0x1p-24f, Float.POSITIVE_INFINITY);
      assertThat(store.info("h").offset()).isEqualTo(8 + header.length() + 34);
      assertThat(store.metadata()).isEmpty();
    }
  }
}
