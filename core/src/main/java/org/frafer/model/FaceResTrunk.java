package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.frafer.faces.FaceModels;
import org.frafer.tfjs.TfjsGraphBlock;

/**
 * A face-pretrained, trainable FER backbone: the HSE FaceRes MobileNet-v1 (TF.js graph from the
 * assets, {@code hse-faceres} = faceres.json or {@code faceres-deep}) up to its last
 * depthwise-separable block, initialised from its face-identity weights (as HSEmotion starts from
 * VGGFace2 weights), then global average pooling, dropout and a new linear classifier.
 *
 * <p>Layers as in {@link FaceModels#faceResLayerNodes()}: 1 = stem (32 channels, stride 2), 2..14 =
 * the 13 blocks (1024 channels at 14). Input: the [0, 1] RGB face at the config's input size times
 * 255 (the scaling the face-ID model was trained with; config mean/std are not used). The graph is
 * fully convolutional, so it runs at any input size (e.g. 112 px to fit a CPU budget; the face-ID
 * model itself sees 224).
 *
 * <p>Parameter names: the graph's tensor constants by TF.js node name (only those the trunk uses;
 * scalar constants such as the ReLU6 bounds stay fixed) plus {@code classifier.weight} / {@code
 * classifier.bias}. The topology comes from the asset; a saved model holds the trained values.
 */
public final class FaceResTrunk extends FerBackboneBlock {
    /** Config arch names this class builds. */
    public static final List<String> ARCHS = List.of("hse-faceres", "faceres-deep");

    private final String arch;
    private final TfjsGraphBlock graph;
    private final List<String> layerNodes;
    private final Map<Integer, Shape[]> shapesBySize = new HashMap<>();
    private final NDManager manager;

    /**
     * @param weightManager owns the graph weights (close it to free them)
     * @param extraFeatures features concatenated to the pooled embedding (concat fusion), usually 0
     */
    public FaceResTrunk(
            String arch,
            int numClasses,
            int extraFeatures,
            float dropRate,
            NDManager weightManager) {
        super(numClasses, FaceModels.FACERES_EMBEDDING_CHANNELS + extraFeatures, dropRate);
        if (!ARCHS.contains(arch)) {
            throw new IllegalArgumentException(
                    "FaceResTrunk: unknown arch '" + arch + "'; known: " + ARCHS);
        }
        this.arch = arch;
        this.manager = weightManager;
        this.graph =
                TfjsGraphBlock.load(FaceModels.faceResModelFile(arch), weightManager)
                        .allowAnyInputSize();
        this.layerNodes = FaceModels.faceResLayerNodes();
        Map<String, Parameter> trunk =
                graph.weightParametersFor(List.of(layerNodes.get(layerNodes.size() - 1)));
        trunk.forEach(
                (name, p) -> {
                    if (p.getArray().getShape().size() > 1) {
                        p.freeze(false); // face-ID weights are the starting point; they train
                        named.put(name, addParameter(p));
                    } // scalars (the ReLU6 clip bounds 0 and 6) stay fixed and come from the asset
                });
        int trunkOut = (int) mapShape(layerNodes.size(), 64).get(0);
        if (trunkOut != FaceModels.FACERES_EMBEDDING_CHANNELS) {
            throw new IllegalStateException(
                    arch
                            + ": the trunk ends in "
                            + trunkOut
                            + " channels, expected "
                            + FaceModels.FACERES_EMBEDDING_CHANNELS);
        }
        addClassifier((float) (1.0 / Math.sqrt(classifierIn)));
    }

    /**
     * Keeps the trunk's kernels converted (PyTorch channels-last layout, BatchNorm scales folded);
     * see TfjsGraphBlock.
     */
    @Override
    public void snapshotForInference() {
        graph.snapshotForInference();
    }

    @Override
    public void dropInferenceSnapshot() {
        graph.dropInferenceSnapshot();
    }

    @Override
    public String arch() {
        return arch;
    }

    @Override
    public int numLayers() {
        return layerNodes.size();
    }

    /** Graph node of a layer (1-based). */
    public String layerNode(int layer) {
        checkFerLayer(layer);
        return layerNodes.get(layer - 1);
    }

    @Override
    public Shape mapShape(int layer, int inputSize) {
        checkFerLayer(layer);
        Shape[] shapes;
        synchronized (shapesBySize) {
            shapes = shapesBySize.get(inputSize);
            if (shapes == null) {
                // one dry run at this size gives every layer's (C, H, W)
                try (NDManager m = manager.newSubManager()) {
                    NDArray probe = m.zeros(new Shape(1, inputSize, inputSize, 3));
                    Map<String, NDArray> maps =
                            graph.run(
                                    new ParameterStore(m, false),
                                    Map.of(graph.placeholders().get(0), probe),
                                    layerNodes,
                                    false);
                    shapes = new Shape[layerNodes.size()];
                    for (int i = 0; i < shapes.length; i++) {
                        Shape nhwc = maps.get(layerNodes.get(i)).getShape();
                        shapes[i] = new Shape(nhwc.get(3), nhwc.get(1), nhwc.get(2));
                    }
                }
                shapesBySize.put(inputSize, shapes);
            }
        }
        return shapes[layer - 1];
    }

    @Override
    public String describeLayer(int layer) {
        checkFerLayer(layer);
        return layer == 1
                ? "stem (conv1 s2 + ReLU6)"
                : String.format(Locale.ROOT, "block %d (dw3x3 + pw1x1, ReLU6)", layer - 1);
    }

    @Override
    public NDArray preprocess(NDArray images, ModelConfig config) {
        return images.mul(FaceModels.FACERES_INPUT_SCALE);
    }

    @Override
    public NDArray forwardLayers(ParameterStore ps, NDArray x, boolean training, int from, int to) {
        return run(ps, x, training, from, to);
    }

    @Override
    public NDArray forwardLayersLean(ParameterStore ps, NDArray x, int from, int to) {
        return run(ps, x, false, from, to); // the graph frees intermediates itself in inference
    }

    private NDArray run(ParameterStore ps, NDArray x, boolean training, int from, int to) {
        checkFerLayer(from);
        checkFerLayer(to);
        if (from > to) {
            throw new IllegalArgumentException(
                    arch + ": layers from " + from + " to " + to + " is empty");
        }
        String feed = from == 1 ? graph.placeholders().get(0) : layerNodes.get(from - 2);
        String out = layerNodes.get(to - 1);
        NDArray nhwc = x.transpose(0, 2, 3, 1);
        return graph.run(ps, Map.of(feed, nhwc), List.of(out), training)
                .get(out)
                .transpose(0, 3, 1, 2);
    }

    /** Only the classifier needs values: the trunk starts from the face-ID weights. */
    @Override
    public void initialize(NDManager m, DataType dataType, Shape... inputShapes) {
        for (String k : List.of("classifier.weight", "classifier.bias")) {
            Parameter p = named.get(k);
            if (p != null && !p.isInitialized()) {
                p.initialize(m, dataType);
            }
        }
    }
}
