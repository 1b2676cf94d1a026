package org.frafer.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;

/**
 * Test double of an FRA-FER network, small enough for unit tests: a strided 3x3 conv as the FER map
 * H (8 x S/4 x S/4), an attention S = sigmoid(conv1x1(avgpool4(x))) standing in for the FR branch,
 * H' = max(S * H, H), global average pooling and a linear classifier. Random weights.
 */
public class TinyEmotionNetwork implements EmotionNetwork {
    public static final int CHANNELS = 8;
    private final ModelConfig config;
    private final NDManager manager;
    private final TinyBlock block;
    public volatile boolean closed;

    public TinyEmotionNetwork(String fusion, int inputSize) {
        config = new ModelConfig();
        config.fusion = fusion;
        config.inputSize = inputSize;
        config.validate();
        manager = NDManager.newBaseManager();
        block = new TinyBlock(config.numClasses(), "fra".equals(fusion));
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, inputSize, inputSize));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Block block() {
        return block;
    }

    @Override
    public List<Parameter> trainableParameters() {
        List<Parameter> p = new ArrayList<>();
        block.getParameters().values().forEach(p::add);
        return p;
    }

    @Override
    public List<Parameter> headParameters() {
        return List.of();
    }

    @Override
    public Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training) {
        return block.detailed(ps, images, training);
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("test double");
    }

    @Override
    public void close() {
        closed = true;
        manager.close();
    }

    static final class TinyBlock extends AbstractBlock {
        private final boolean attention;
        private final int classes;
        private final Conv2d fer;
        private final Conv2d att;
        private final Linear fc;

        TinyBlock(int classes, boolean attention) {
            this.classes = classes;
            this.attention = attention;
            fer =
                    addChildBlock(
                            "fer",
                            Conv2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .optStride(new Shape(4, 4))
                                    .optPadding(new Shape(1, 1))
                                    .setFilters(CHANNELS)
                                    .build());
            att =
                    addChildBlock(
                            "att",
                            Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).build());
            fc = addChildBlock("fc", Linear.builder().setUnits(classes).build());
        }

        Outputs detailed(ParameterStore ps, NDArray x, boolean training) {
            NDArray h = fer.forward(ps, new NDList(x), training).head().getNDArrayInternal().relu();
            NDArray s = null;
            NDArray after = h;
            if (attention) {
                NDArray fr =
                        Pool.avgPool2d(
                                x, new Shape(4, 4), new Shape(4, 4), new Shape(0, 0), false, true);
                s = att.forward(ps, new NDList(fr), training).head().getNDArrayInternal().sigmoid();
                after = h.mul(s).maximum(h);
            }
            NDArray emb = Pool.globalAvgPool2d(after);
            // Scaled so the random logits are far enough apart for a meaningful top label.
            NDArray logits = fc.forward(ps, new NDList(emb), training).head().mul(20f);
            return new Outputs(logits, emb, s, h, after);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(detailed(ps, inputs.head(), training).logits());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            Shape in = inputShapes[0];
            fer.initialize(manager, dataType, in);
            att.initialize(
                    manager, dataType, new Shape(in.get(0), 3, in.get(2) / 4, in.get(3) / 4));
            fc.initialize(manager, dataType, new Shape(in.get(0), CHANNELS));
        }
    }

    /**
     * A network using the weights of another (same outputs); closing it leaves the other intact.
     */
    public static TinyEmotionNetwork sharing(TinyEmotionNetwork inner) {
        return new Shared(inner);
    }

    private static final class Shared extends TinyEmotionNetwork {
        private final TinyEmotionNetwork inner;

        Shared(TinyEmotionNetwork inner) {
            super(inner.config().fusion, inner.config().inputSize);
            this.inner = inner;
        }

        @Override
        public Block block() {
            return inner.block();
        }

        @Override
        public Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training) {
            return inner.forwardDetailed(ps, images, training);
        }
    }
}
