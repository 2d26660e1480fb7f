package dev.r1.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FloatFormatsTest {

  private static float half(int bits) {
    return FloatFormats.halfToFloat((short) bits);
  }

  private static int toHalf(float v) {
    return FloatFormats.floatToHalf(v) & 0xFFFF;
  }

  @Test
  void decodesKnownHalfValues() {
    assertThat(half(0x3C00)).isEqualTo(1.0f);
    assertThat(half(0xC000)).isEqualTo(-2.0f);
    assertThat(half(0x7BFF)).isEqualTo(65504f);
    assertThat(half(0x0001)).isEqualTo((float) Math.pow(2, -24));
    assertThat(half(0x03FF)).isEqualTo((float) (1023 * Math.pow(2, -24)));
    assertThat(half(0x0400)).isEqualTo((float) Math.pow(2, -14));
    assertThat(half(0x3555)).isEqualTo(0.333251953125f);
    assertThat(half(0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(half(0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(half(0x7E00)).isNaN();
    assertThat(half(0xFC01)).isNaN();
    assertThat(Float.floatToRawIntBits(half(0x8000))).isEqualTo(0x8000_0000);
    assertThat(Float.floatToRawIntBits(half(0x0000))).isZero();
  }

  @Test
  void halfRoundTripsEveryNonNanEncoding() {
    for (int h = 0; h < 0x10000; h++) {
      boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
      if (nan) {
        assertThat(half(toHalf(half(h)))).isNaN();
      } else {
        assertThat(toHalf(half(h))).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void halfDecodingIsMonotoneOverPositiveEncodings() {
    for (int h = 1; h <= 0x7C00; h++) {
      assertThat(half(h)).as("half 0x%04x", h).isGreaterThan(half(h - 1));
    }
  }

  @Test
  void narrowsToHalfRoundingToNearestEven() {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to the even mantissa (1.0)
    assertThat(toHalf(1f + 0x1p-11f)).isEqualTo(0x3C00);
    // 1 + 3*2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
    assertThat(toHalf(1f + 3 * 0x1p-11f)).isEqualTo(0x3C02);
    assertThat(toHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01);
    assertThat(toHalf(65504f)).isEqualTo(0x7BFF);
    assertThat(toHalf(65519.99f)).isEqualTo(0x7BFF);
    assertThat(toHalf(65520f)).isEqualTo(0x7C00);
    assertThat(toHalf(-1e10f)).isEqualTo(0xFC00);
    // half the smallest subnormal ties to zero, a bit more rounds up
    assertThat(toHalf(0x1p-25f)).isEqualTo(0x0000);
    assertThat(toHalf(0x1p-25f * 1.01f)).isEqualTo(0x0001);
    assertThat(toHalf(3 * 0x1p-25f)).isEqualTo(0x0002);
    assertThat(toHalf(-0x1p-24f)).isEqualTo(0x8001);
    // largest subnormal plus half a unit carries into the smallest normal
    assertThat(toHalf(1023.5f * 0x1p-24f)).isEqualTo(0x0400);
    assertThat(toHalf(Float.MIN_VALUE)).isEqualTo(0x0000);
    assertThat(half(toHalf(Float.NaN))).isNaN();
  }

  @Test
  void widensBf16ByShiftingIntoTheHighHalf() {
    assertThat(FloatFormats.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
    assertThat(FloatFormats.bf16ToFloat((short) 0xC040)).isEqualTo(-3.0f);
    assertThat(FloatFormats.bf16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(FloatFormats.bf16ToFloat((short) 0x7FC1)).isNaN();
    assertThat(FloatFormats.bf16ToFloat((short) 0x0001)).isEqualTo(0x1p-133f);
  }

  @Test
  void narrowsToBf16RoundingToNearestEven() {
    assertThat(FloatFormats.floatToBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    assertThat(FloatFormats.floatToBf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82);
    assertThat(FloatFormats.floatToBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
    assertThat(FloatFormats.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
    assertThat(FloatFormats.floatToBf16(-Float.MAX_VALUE)).isEqualTo((short) 0xFF80);
    assertThat(FloatFormats.floatToBf16(-0f)).isEqualTo((short) 0x8000);
    assertThat(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(Float.NaN))).isNaN();
    // a NaN whose payload sits only in the low 16 bits must not turn into infinity
    float lowPayloadNan = Float.intBitsToFloat(0x7F80_0001);
    assertThat(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(lowPayloadNan))).isNaN();
  }

  @Test
  void bf16RoundTripsEveryNonNanEncoding() {
    for (int b = 0; b < 0x10000; b++) {
      float f = FloatFormats.bf16ToFloat((short) b);
      if (!Float.isNaN(f)) {
        assertThat(FloatFormats.floatToBf16(f) & 0xFFFF).isEqualTo(b);
      }
    }
  }
}
