package org.frafer.infer;

import java.util.Arrays;

/**
 * A dense float32 array on the Java heap with its shape (row-major, last axis fastest), detached
 * from any native NDArray so it outlives the inference call that produced it.
 */
public record FloatTensor(long[] shape, float[] data) {
    public FloatTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + n
                            + " values, got "
                            + data.length);
        }
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Value at the given indices (one per axis). */
    public float get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(
                    "need " + shape.length + " indices, got " + index.length);
        }
        long flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(
                        "index "
                                + Arrays.toString(index)
                                + " outside shape "
                                + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return data[(int) flat];
    }

    /** For a (C, H, W) tensor: the mean over channels, as an (H, W) tensor. */
    public FloatTensor channelMean() {
        if (shape.length != 3) {
            throw new IllegalStateException(
                    "channelMean needs a (C, H, W) tensor, shape is " + Arrays.toString(shape));
        }
        int c = (int) shape[0];
        int hw = (int) (shape[1] * shape[2]);
        float[] out = new float[hw];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * hw;
            for (int i = 0; i < hw; i++) {
                out[i] += data[base + i];
            }
        }
        for (int i = 0; i < hw; i++) {
            out[i] /= c;
        }
        return new FloatTensor(new long[] {shape[1], shape[2]}, out);
    }

    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : data) {
            m = Math.min(m, v);
        }
        return m;
    }

    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            m = Math.max(m, v);
        }
        return m;
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
