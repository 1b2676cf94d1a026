package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.frafer.faces.FrBackbone;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;
import org.frafer.model.fusion.FraFusion;
import org.frafer.nn.NamedParameters;
import org.frafer.nn.Normalization;

/**
 * A frozen EfficientNet-B0 face-recognition backbone (e.g. Savchenko's VGGFace2-trained {@code
 * state_vggface2_enet0_new}, a headless tf_efficientnet_b0) with timm-named safetensors weights.
 * Resizes raw [0,1] RGB faces bilinearly to its input size, normalises with its own mean/std, runs
 * only up to the requested layer, always with BN in inference mode, and records no gradients
 * (parameters frozen, outputs detached).
 */
public final class EfficientNetFrBackbone implements FrBackbone, NamedParameters {
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final String id;
    private final int inputSize;
    private final float[] mean;
    private final float[] std;
    private final NDManager manager;
    private final EfficientNet net;
    private final ParameterStore ps;
    private final boolean randomWeights;

    /**
     * Projection of the pooled embedding to a distillation teacher's width ({@code
     * distill.proj.*}), or null.
     */
    private NDArray projWeight;

    private NDArray projBias;

    /**
     * @param weights timm-named tensors (a classifier, if present, is ignored); null = random
     *     weights (a stand-in for shapes and benchmarks only)
     */
    public EfficientNetFrBackbone(
            EfficientNet.Variant variant,
            int inputSize,
            float[] mean,
            float[] std,
            Map<String, SafeTensors.Tensor> weights,
            String source) {
        this.id = variant.timmName;
        this.inputSize = inputSize;
        this.mean = mean.clone();
        this.std = std.clone();
        this.manager = NDManager.newBaseManager();
        this.net = new EfficientNet(variant, 0, 0, 0f);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, inputSize, inputSize));
        if (weights != null) {
            Map<String, SafeTensors.Tensor> relevant = new LinkedHashMap<>(weights);
            relevant.keySet()
                    .removeIf(
                            k ->
                                    k.startsWith("classifier.")
                                            || k.startsWith("fc.")
                                            || k.startsWith("distill.")
                                            || Weights.ignored(k));
            SafeTensors.Tensor pw = weights.get("distill.proj.weight");
            SafeTensors.Tensor pb = weights.get("distill.proj.bias");
            if (pw != null && pb != null) {
                // a distilled B0 (train --recipe distill): its descriptor is the projected
                // embedding
                projWeight = manager.create(pw.data(), new Shape(pw.shape()));
                projBias = manager.create(pb.data(), new Shape(pb.shape()));
            }
            Weights.load(net.namedParameters(), relevant, true, source);
        }
        net.freezeParameters(true);
        this.ps = new ParameterStore(manager, false);
        this.randomWeights = weights == null;
    }

    /**
     * Loads weights from a safetensors file (timm names); null path = random weights. Input size
     * 224, or the file's {@code inputSize} metadata (a distilled B0), whose {@code distill.proj}
     * then gives the descriptor.
     */
    public static EfficientNetFrBackbone create(EfficientNet.Variant variant, Path weightsOrNull) {
        if (weightsOrNull == null) {
            org.slf4j.LoggerFactory.getLogger(EfficientNetFrBackbone.class)
                    .warn(
                            "FR backbone {} has no weights file: using RANDOM weights (a stand-in for shapes and benchmarks only)",
                            variant.timmName);
        }
        SafeTensors.Contents c =
                weightsOrNull == null ? null : SafeTensors.readWithMetadata(weightsOrNull);
        Map<String, SafeTensors.Tensor> w = c == null ? null : c.tensors();
        int size = 224;
        String recorded =
                c == null || c.metadata() == null
                        ? null
                        : c.metadata().get("inputSize"); // distilled B0s record theirs
        if (recorded != null) {
            try {
                size = Integer.parseInt(recorded);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        weightsOrNull + ": metadata inputSize '" + recorded + "' is not a number");
            }
        }
        return new EfficientNetFrBackbone(
                variant,
                size,
                IMAGENET_MEAN,
                IMAGENET_STD,
                w,
                weightsOrNull == null ? "random" : weightsOrNull.toString());
    }

    public boolean hasRandomWeights() {
        return randomWeights;
    }

    public EfficientNet network() {
        return net;
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return net.namedParameters();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public long parameterCount() {
        return EfficientNet.countParameters(net.namedParameters().values());
    }

    @Override
    public int numLayers() {
        return EfficientNet.NUM_LAYERS;
    }

    @Override
    public Shape featureShape(int layer) {
        return EfficientNet.layerShape(layer, inputSize);
    }

    @Override
    public NDArray features(NDArray rawFaces, int layer) {
        EfficientNet.checkLayer(layer);
        return net.forwardLayersLean(ps, prepare(rawFaces), 1, layer).stopGradient();
    }

    @Override
    public NDArray embedding(NDArray rawFaces) {
        NDArray pooled =
                net.pool(net.forwardLayersLean(ps, prepare(rawFaces), 1, EfficientNet.NUM_LAYERS))
                        .stopGradient();
        return projWeight == null
                ? pooled
                : ai.djl.nn.core.Linear.linear(pooled, projWeight, projBias).singletonOrThrow();
    }

    private NDArray prepare(NDArray raw) {
        Shape s = raw.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException(
                    "FR backbone " + id + " expects NCHW RGB faces (N, 3, H, W), got " + s);
        }
        NDArray x = FraFusion.resizeBilinear(raw.stopGradient(), inputSize, inputSize);
        return Normalization.normalize(x, mean, std);
    }

    @Override
    public void close() {
        manager.close();
    }
}
