package dev.r1.model.safetensors;

/**
 * Conversions between {@code float} and the 16-bit formats stored in checkpoints: IEEE 754 half
 * precision (F16) and bfloat16 (BF16). Narrowing rounds to nearest, ties to even; NaN stays NaN.
 * Works on Java 17 (no {@code Float.float16ToFloat}).
 */
public final class FloatFormats {

  /** Float bits of 65520, the midpoint between the largest half (65504) and 65536. */
  private static final int HALF_OVERFLOW_BITS = 0x477F_F000;

  /** Float bits of 2^-14, the smallest normal half. */
  private static final int HALF_MIN_NORMAL_BITS = 0x3880_0000;

  private FloatFormats() {}

  /** Widens bfloat16 bits (low 16 bits of {@code bits}) to float; exact. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Narrows a float to bfloat16 bits, rounding to nearest even; NaN becomes a quiet NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }

  /** Widens IEEE half-precision bits (low 16 bits of {@code bits}) to float; exact. */
  public static float halfToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      // zero or subnormal: mant * 2^-24, exact in float
      float magnitude = mant * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    if (exp == 0x1F) {
      // infinity (mant == 0) or NaN with its payload kept
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /**
   * Narrows a float to IEEE half-precision bits, rounding to nearest even. Magnitudes of 65520 and
   * more become infinity, values below half the smallest subnormal become signed zero.
   */
  public static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFF_FFFF;
    if (abs > 0x7F80_0000) {
      return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
    }
    if (abs >= HALF_OVERFLOW_BITS) {
      return (short) (sign | 0x7C00);
    }
    if (abs < HALF_MIN_NORMAL_BITS) {
      // subnormal range: count units of 2^-24; rint rounds half to even. 1024 carries into the
      // smallest normal, which has exactly that encoding.
      int units = (int) Math.rint((double) Float.intBitsToFloat(abs) * 0x1p24);
      return (short) (sign | units);
    }
    int exp = (abs >>> 23) - 127 + 15;
    int mant = abs & 0x7F_FFFF;
    int half = (exp << 10) | (mant >>> 13);
    int rest = mant & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++; // a carry out of the mantissa correctly bumps the exponent
    }
    return (short) (sign | half);
  }
}
