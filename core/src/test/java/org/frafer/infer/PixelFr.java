package org.frafer.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.frafer.faces.FrBackbone;

/**
 * Descriptor = the face's 4x4 average colours minus their mean: identical crops give identical
 * descriptors.
 */
public final class PixelFr implements FrBackbone {
    @Override
    public String id() {
        return "test-pixels";
    }

    @Override
    public int inputSize() {
        return 32;
    }

    @Override
    public int numLayers() {
        return 1;
    }

    @Override
    public Shape featureShape(int layer) {
        return new Shape(3, 4, 4);
    }

    @Override
    public NDArray features(NDArray rawFaces, int layer) {
        throw new UnsupportedOperationException("not used");
    }

    @Override
    public NDArray embedding(NDArray rawFaces) {
        long n = rawFaces.getShape().get(0);
        NDArray pooled =
                ai.djl.nn.pooling.Pool.avgPool2d(
                                rawFaces,
                                new Shape(8, 8),
                                new Shape(8, 8),
                                new Shape(0, 0),
                                false,
                                true)
                        .reshape(n, 48);
        return pooled.sub(pooled.mean(new int[] {1}, true));
    }

    @Override
    public void close() {}
}
