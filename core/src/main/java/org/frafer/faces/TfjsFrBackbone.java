package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.frafer.tfjs.Bilinear;
import org.frafer.tfjs.TfjsGraphBlock;

/**
 * A frozen FR backbone imported from a TF.js graph model (see {@link FaceModels} for the ids).
 *
 * <p>Preprocessing follows @vladmandic/human: the [0, 1] RGB face is resized to the model's square
 * input with TF's legacy bilinear resize ({@code tf.image.resizeBilinear(x, [s, s], false)}), then
 * multiplied by {@code inputScale} (255 for HSE FaceRes, whose graph starts from [0, 255]; 1 for
 * MobileFaceNet). Layers are named graph nodes; the map is returned NCHW.
 */
public final class TfjsFrBackbone implements FrBackbone {
    private final String id;
    private final int inputSize;
    private final float inputScale;
    private final float inputOffset;
    private final List<String> layerNodes;
    private final String embeddingNode;
    private final NDManager weights;
    private final TfjsGraphBlock graph;
    private volatile Shape[] featureShapes;

    TfjsFrBackbone(
            String id,
            Path modelJson,
            int inputSize,
            float inputScale,
            float inputOffset,
            List<String> layerNodes,
            String embeddingNode) {
        this.id = id;
        this.inputSize = inputSize;
        this.inputScale = inputScale;
        this.inputOffset = inputOffset;
        this.layerNodes = List.copyOf(layerNodes);
        this.embeddingNode = embeddingNode;
        this.weights = NDManager.newBaseManager();
        try {
            this.graph = TfjsGraphBlock.load(modelJson, weights);
            layerNodes.forEach(graph::node);
            graph.node(embeddingNode);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** The imported graph, e.g. to unfreeze and fine-tune it as a face-pretrained backbone. */
    public TfjsGraphBlock graph() {
        return graph;
    }

    /**
     * The network up to layer {@code p} as a DJL block (NCHW [0, 1] in, NCHW map out) sharing this
     * backbone's weights: frozen like them until {@code freezeParameters(false)} is called on it.
     */
    public FrTrunkBlock trunk(int layer) {
        return new FrTrunkBlock(
                graph, layerNode(layer), inputSize, inputScale, inputOffset, featureShape(layer));
    }

    /** Graph node name of layer {@code p} (1-based). */
    public String layerNode(int layer) {
        checkLayer(layer);
        return layerNodes.get(layer - 1);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    /**
     * All float weights of the imported graph (conv kernels, folded BN scales/offsets, biases,
     * PReLU slopes).
     */
    @Override
    public long parameterCount() {
        return graph.weightParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    @Override
    public int numLayers() {
        return layerNodes.size();
    }

    @Override
    public Shape featureShape(int layer) {
        checkLayer(layer);
        if (featureShapes == null) {
            // One dry run at the backbone's own input size gives every layer's (C, H, W).
            try (NDManager m = weights.newSubManager()) {
                NDArray probe = m.zeros(new Shape(1, 3, inputSize, inputSize));
                NDArray in = probe.transpose(0, 2, 3, 1);
                Map<String, NDArray> maps = graph.run(in, layerNodes);
                Shape[] shapes = new Shape[layerNodes.size()];
                for (int i = 0; i < shapes.length; i++) {
                    Shape nhwc = maps.get(layerNodes.get(i)).getShape();
                    shapes[i] = new Shape(nhwc.get(3), nhwc.get(1), nhwc.get(2));
                }
                featureShapes = shapes;
            }
        }
        return featureShapes[layer - 1];
    }

    @Override
    public NDArray features(NDArray rawFaces, int layer) {
        return run(rawFaces, layerNode(layer)).transpose(0, 3, 1, 2);
    }

    @Override
    public NDArray embedding(NDArray rawFaces) {
        return run(rawFaces, embeddingNode);
    }

    /** Any graph node by name for the given raw faces (NHWC as TF.js computes it). */
    public NDArray node(NDArray rawFaces, String nodeName) {
        return run(rawFaces, nodeName);
    }

    private NDArray run(NDArray rawFaces, String node) {
        Shape s = rawFaces.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException(
                    id + ": expected faces as NCHW with 3 RGB channels, got shape " + s);
        }
        NDManager caller = rawFaces.getManager();
        try (NDManager m = caller.newSubManager()) {
            NDArray x = rawFaces.stopGradient().toType(DataType.FLOAT32, false);
            x.attach(m);
            NDArray in = Bilinear.resizeNchw(x, inputSize, inputSize).mul(inputScale);
            if (inputOffset != 0) {
                in = in.add(inputOffset);
            }
            in = in.transpose(0, 2, 3, 1);
            NDArray out = graph.run(in, List.of(node)).get(node);
            out.attach(caller);
            return out;
        }
    }

    private void checkLayer(int layer) {
        if (layer < 1 || layer > layerNodes.size()) {
            throw new IllegalArgumentException(
                    id + ": layer " + layer + " out of range 1.." + layerNodes.size());
        }
    }

    @Override
    public void close() {
        weights.close();
    }

    /** Node names per layer, for documentation. */
    public Map<Integer, String> layers() {
        java.util.TreeMap<Integer, String> out = new java.util.TreeMap<>();
        for (int i = 0; i < layerNodes.size(); i++) {
            out.put(i + 1, layerNodes.get(i));
        }
        return out;
    }
}
