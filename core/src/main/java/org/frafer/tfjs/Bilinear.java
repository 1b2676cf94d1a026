package org.frafer.tfjs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resizing exactly as TensorFlow's {@code resizeBilinear} computes it (default: legacy
 * "asymmetric" coordinates {@code src = dst * in / out}, no anti-aliasing; optional align_corners /
 * half_pixel_centers). Done as two small interpolation matrices, {@code Rh · X · Rwᵀ}, so it is
 * exact, fast and differentiable for any input size.
 */
public final class Bilinear {
    private Bilinear() {}

    /** Resizes an NCHW array to (outH, outW). */
    public static NDArray resizeNchw(
            NDArray x, int outH, int outW, boolean alignCorners, boolean halfPixelCenters) {
        Shape s = x.getShape();
        int inH = (int) s.get(2);
        int inW = (int) s.get(3);
        if (inH == outH && inW == outW) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rh =
                m.create(matrix(inH, outH, alignCorners, halfPixelCenters), new Shape(outH, inH))
                        .toDevice(x.getDevice(), false);
        NDArray rwT =
                m.create(matrix(inW, outW, alignCorners, halfPixelCenters), new Shape(outW, inW))
                        .toDevice(x.getDevice(), false)
                        .transpose();
        return rh.matMul(x).matMul(rwT);
    }

    public static NDArray resizeNchw(NDArray x, int outH, int outW) {
        return resizeNchw(x, outH, outW, false, false);
    }

    /** Row-major [out][in] interpolation weights along one axis. */
    public static float[] matrix(int in, int out, boolean alignCorners, boolean halfPixelCenters) {
        float[] r = new float[out * in];
        double scale = alignCorners && out > 1 ? (in - 1) / (double) (out - 1) : in / (double) out;
        for (int o = 0; o < out; o++) {
            double src = halfPixelCenters ? (o + 0.5) * scale - 0.5 : o * scale;
            int lo = (int) Math.floor(src);
            double frac = src - lo;
            int hi = Math.min(lo + 1, in - 1);
            int loC = Math.max(Math.min(lo, in - 1), 0);
            int hiC = Math.max(hi, 0);
            if (halfPixelCenters && src < 0) {
                frac = 0; // TF clamps the lower coordinate and keeps the lerp from the unclamped
                // one; below 0 both are row 0
            }
            r[o * in + loC] += (float) (1 - frac);
            r[o * in + hiC] += (float) frac;
        }
        return r;
    }

    /**
     * One sample of the same interpolation on a host array; {@code coords} of output index along
     * one axis.
     */
    public static double sourceCoordinate(int outIndex, int in, int out) {
        return outIndex * (in / (double) out);
    }
}
