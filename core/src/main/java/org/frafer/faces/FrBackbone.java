package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A frozen face-recognition (FR) network, the source of the FRA attention map.
 *
 * <p>Contract shared by every FR backbone (EfficientNet-B0 face-ID, HSE FaceRes, MobileFaceNet):
 *
 * <ul>
 *   <li>Input is the raw face batch: NCHW float32, RGB, values in [0, 1], any spatial size. The
 *       backbone resizes and normalises it itself (its own input size, mean/std), so the FER
 *       network and the FR network may disagree on preprocessing.
 *   <li>Weights never change: no gradient is recorded, BatchNorm always uses its running
 *       statistics, whatever the caller's training flag.
 *   <li>{@link #features} computes only up to layer {@code p} (1 = the stem).
 *   <li>Returned arrays belong to the input array's {@link ai.djl.ndarray.NDManager}.
 * </ul>
 */
public interface FrBackbone extends AutoCloseable {

    /**
     * Stable id written into model configs, e.g. {@code hse-faceres} or {@code tf_efficientnet_b0}.
     */
    String id();

    /** Side of the square input the backbone resizes faces to. */
    int inputSize();

    /** Number of tappable layers; valid {@code p} are 1..numLayers(). */
    int numLayers();

    /** Shape (C, H, W) of {@code H_FR_p} at the backbone's own input size. */
    Shape featureShape(int layer);

    /** {@code H_FR_p}: the feature map after layer {@code layer}, shape (N, C, H, W). */
    NDArray features(NDArray rawFaces, int layer);

    /** The full identity descriptor, shape (N, D). */
    NDArray embedding(NDArray rawFaces);

    /**
     * Number of weights of the whole network (every layer, not only up to a tapped layer p; BN
     * running statistics and integer constants not counted), or -1 when the backbone cannot tell.
     */
    default long parameterCount() {
        return -1;
    }

    @Override
    void close();
}
