package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.frafer.nn.NamedParameters;

/**
 * The trainable FER network of a {@link FraFerNetwork}, cut into layers 1..N so a fusion can sit
 * after any layer q: {@link EfficientNet} (the paper's B0) and {@link FaceResTrunk} (the HSE
 * FaceRes MobileNet, initialised from its face-identity weights). Layer maps are NCHW.
 */
public interface FerBackbone extends Block, NamedParameters {
    /** The config arch name this backbone is built for. */
    String arch();

    int numLayers();

    /**
     * Shape (C, H, W) of the map after {@code layer} for a square input of side {@code inputSize}.
     */
    Shape mapShape(int layer, int inputSize);

    /** Human-readable name of a layer. */
    String describeLayer(int layer);

    /**
     * The network input from NCHW RGB images in [0, 1]: the scaling the backbone was trained with
     * (EfficientNet: the config's mean/std; FaceRes: x255 as the face-ID model).
     */
    NDArray preprocess(NDArray images, ModelConfig config);

    /**
     * Layers {@code from..to} inclusive; {@code x} is the preprocessed input (from = 1) or the
     * output of layer from - 1.
     */
    NDArray forwardLayers(ParameterStore ps, NDArray x, boolean training, int from, int to);

    /**
     * Inference-only {@link #forwardLayers} that frees intermediates early (never inside a
     * GradientCollector).
     */
    NDArray forwardLayersLean(ParameterStore ps, NDArray x, int from, int to);

    /**
     * Where layer {@code layer}'s pre-activation tap is (the output of its last convolution before
     * the norm), or null when this backbone has none (then only {@code tap = post} is possible).
     */
    default String describePreTap(int layer) {
        return null;
    }

    /**
     * Layer {@code layer} alone with {@code preNorm} applied to its pre-activation map ({@link
     * #describePreTap}); for backbones that have one.
     */
    default NDArray forwardLayerPreTapped(
            ParameterStore ps,
            NDArray x,
            boolean training,
            int layer,
            java.util.function.UnaryOperator<NDArray> preNorm) {
        throw new UnsupportedOperationException(
                arch() + " has no pre-activation tap (use tap = post)");
    }

    /** Global average pool of the last layer's map: the embedding (N, D). */
    NDArray pool(NDArray top);

    /** Dropout (training only) + linear classifier on (N, classifierInFeatures). */
    NDArray classify(ParameterStore ps, NDArray embedding, boolean training);

    int classifierInFeatures();

    /**
     * Inference calls may keep state derived from the current weights (e.g. converted kernels)
     * until {@link #dropInferenceSnapshot} or a training forward; for final weights. Default:
     * nothing to keep.
     */
    default void snapshotForInference() {}

    /** Forgets what {@link #snapshotForInference} kept. */
    default void dropInferenceSnapshot() {}

    /** Channels of layer {@code layer}'s map. */
    default int channels(int layer) {
        return (int) mapShape(layer, 224).get(0);
    }

    /** Throws naming the valid range when {@code layer} is not 1..numLayers. */
    default void checkFerLayer(int layer) {
        if (layer < 1 || layer > numLayers()) {
            throw new IllegalArgumentException(
                    arch() + " layer must be 1.." + numLayers() + " (1 = stem), got " + layer);
        }
    }
}
