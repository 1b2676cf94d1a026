package org.frafer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Per-channel (x - mean) / std on NCHW RGB, with the constants created in the input's manager. */
public final class Normalization {
    private Normalization() {}

    public static NDArray normalize(NDArray x, float[] mean, float[] std) {
        NDArray m = x.getManager().create(mean, new Shape(1, 3, 1, 1));
        NDArray s = x.getManager().create(std, new Shape(1, 3, 1, 1));
        return x.sub(m).div(s);
    }
}
