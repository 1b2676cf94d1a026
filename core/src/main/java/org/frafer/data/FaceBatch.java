package org.frafer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A decoded batch on the host: pixels NCHW float32 RGB in [0, 1] at {@code size x size}, labels and
 * (optional) soft labels. Turned into NDArrays inside the consumer's per-batch sub-manager.
 */
public record FaceBatch(
        float[] pixels,
        int size,
        int[] labels,
        float[] softLabels,
        int numClasses,
        List<FaceSample> samples) {
    public int count() {
        return labels.length;
    }

    public NDArray images(NDManager m) {
        return m.create(pixels, new Shape(count(), 3, size, size));
    }

    public NDArray labelArray(NDManager m) {
        return m.create(labels);
    }

    /** Soft targets (N, K), or one-hot of the labels when the dataset has none. */
    public NDArray targets(NDManager m) {
        if (softLabels != null) {
            return m.create(softLabels, new Shape(count(), numClasses));
        }
        return m.create(labels).oneHot(numClasses);
    }
}
