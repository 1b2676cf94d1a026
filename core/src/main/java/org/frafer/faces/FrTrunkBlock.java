package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import org.frafer.tfjs.Bilinear;
import org.frafer.tfjs.TfjsGraphBlock;

/**
 * An imported FR network up to layer {@code p} as an ordinary DJL block, for use as a
 * face-pretrained (and, once {@code freezeParameters(false)}, trainable) backbone: NCHW RGB [0, 1]
 * faces of any size in, the layer's NCHW feature map out, with the backbone's own resize and
 * scaling inside. The weights are the TF.js graph's parameters (child block "graph"), shared with
 * the {@link TfjsFrBackbone} it came from.
 */
public final class FrTrunkBlock extends AbstractBlock {
    private final TfjsGraphBlock graph;
    private final String node;
    private final int inputSize;
    private final float inputScale;
    private final float inputOffset;
    private final Shape featureShape;

    FrTrunkBlock(
            TfjsGraphBlock graph,
            String node,
            int inputSize,
            float inputScale,
            float inputOffset,
            Shape featureShape) {
        super((byte) 1);
        this.graph = addChildBlock("graph", graph);
        this.node = node;
        this.inputSize = inputSize;
        this.inputScale = inputScale;
        this.inputOffset = inputOffset;
        this.featureShape = featureShape;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray in =
                Bilinear.resizeNchw(x, inputSize, inputSize)
                        .mul(inputScale)
                        .add(inputOffset)
                        .transpose(0, 2, 3, 1);
        String feed = graph.placeholders().get(0);
        Map<String, NDArray> out = graph.run(ps, Map.of(feed, in), List.of(node), training);
        return new NDList(out.get(node).transpose(0, 3, 1, 2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {
            new Shape(
                    inputShapes[0].get(0),
                    featureShape.get(0),
                    featureShape.get(1),
                    featureShape.get(2))
        };
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        // pretrained: the graph's weights are already set
    }
}
