package org.frafer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resize of NCHW maps exactly like torch {@code F.interpolate(x, size, mode='bilinear',
 * align_corners=False)} (no antialiasing), as two interpolation-matrix products (differentiable).
 * DJL's own interpolation goes through libtorch with antialias=True, which differs when shrinking.
 */
public final class BilinearResize {
    private BilinearResize() {}

    public static NDArray resize(NDArray x, long height, long width) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("bilinear resize expects NCHW, got " + s);
        }
        int inH = (int) s.get(2);
        int inW = (int) s.get(3);
        if (inH == height && inW == width) {
            return x;
        }
        NDArray rows = x.getManager().create(matrix(inH, (int) height), new Shape(height, inH));
        NDArray colsT =
                x.getManager().create(matrix(inW, (int) width), new Shape(width, inW)).transpose();
        return rows.matMul(x.matMul(colsT)).toType(x.getDataType(), false);
    }

    /** (out x in) row-major weights: out[d] = sum_i m[d][i] * in[i]. */
    static float[] matrix(int in, int out) {
        float[] m = new float[out * in];
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double src = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double l = src - i0;
            m[d * in + i0] += (float) (1 - l);
            m[d * in + i1] += (float) l;
        }
        return m;
    }
}
