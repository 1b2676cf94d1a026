package org.frafer.io;

/** IEEE 754 half precision and bfloat16 conversions (Java 17 has no Float.float16ToFloat). */
public final class HalfFloat {
    private HalfFloat() {}

    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f; // zero or subnormal
            return sign != 0 ? -v : v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Round-to-nearest-even, like numpy's and torch's float32 -> float16 cast. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int val = bits & 0x7fffffff;
        if (val >= 0x7f800000) { // inf or NaN
            return (short) (sign | 0x7c00 | (val > 0x7f800000 ? 0x200 : 0));
        }
        int e = (val >>> 23) - 127;
        if (e < -14) { // half subnormal (or zero)
            int shift = -e - 1;
            if (shift > 30) {
                return (short) sign;
            }
            int mant = (val & 0x7fffff) | 0x800000;
            int r = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (r & 1) == 1)) {
                r++;
            }
            return (short) (sign | r);
        }
        if (e > 15) {
            return (short) (sign | 0x7c00);
        }
        int h = ((e + 15) << 10) | ((val >>> 13) & 0x3ff);
        int rem = val & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++; // a carry into the exponent is the correct rounding (up to inf)
        }
        return (short) (sign | h);
    }

    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
