package org.frafer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;

/**
 * Test double of a FER network: either a small conv net (conv 3x3 -> BN -> ReLU -> global pool ->
 * dropout -> linear head) or a plain linear classifier over the flattened pixels.
 */
public final class TinyNetwork implements EmotionNetwork {
    private final ModelConfig config;
    private final SequentialBlock block = new SequentialBlock();
    private final Linear head;
    private final NDManager manager = NDManager.newBaseManager();

    /** Simulates a frozen FR branch: the conv weights are left out of trainableParameters(). */
    public boolean frozenConv;

    public TinyNetwork(ModelConfig config, boolean conv, int seed) {
        this.config = config;
        if (conv) {
            block.add(
                            Conv2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .optPadding(new Shape(1, 1))
                                    .setFilters(6)
                                    .build())
                    .add(BatchNorm.builder().optMomentum(0.9f).build())
                    .add(Activation::relu)
                    .add(Pool.globalAvgPool2dBlock())
                    .add(Dropout.builder().optRate(0.2f).build());
        } else {
            block.add(Blocks.batchFlattenBlock());
        }
        head = Linear.builder().setUnits(config.numClasses()).build();
        block.add(head);
        if (seed >= 0) { // negative: draw from the engine RNG as it stands (like a real network's
            // random init)
            Engine.getInstance().setRandomSeed(seed);
        }
        block.initialize(
                manager, DataType.FLOAT32, new Shape(1, 3, config.inputSize, config.inputSize));
    }

    public static ModelConfig config(List<String> classes, int size) {
        ModelConfig c = new ModelConfig();
        c.classes = new ArrayList<>(classes);
        c.inputSize = size;
        c.fusion = "none";
        c.arch = "tiny-test";
        return c;
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
        List<Parameter> out = new ArrayList<>();
        for (var p : block.getParameters()) {
            if (p.getValue().requiresGradient() && !(frozenConv && p.getKey().contains("Conv2d"))) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    @Override
    public List<Parameter> headParameters() {
        List<Parameter> out = new ArrayList<>();
        head.getParameters().forEach(p -> out.add(p.getValue()));
        return out;
    }

    public Linear head() {
        return head;
    }

    @Override
    public Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training) {
        NDArray logits = block.forward(ps, new NDList(images), training).head();
        return new Outputs(logits, null, null, null, null);
    }

    @Override
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.write(
                    dir.resolve("config.json"),
                    org.frafer.train.TrainConfig.JSON.writeValueAsBytes(config));
            NDList list = new NDList();
            for (var p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                a.setName(p.getKey());
                list.add(a);
            }
            try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads a folder written by {@link #save}. */
    public static TinyNetwork load(Path dir, boolean conv) {
        try {
            ModelConfig c =
                    org.frafer.train.TrainConfig.JSON.readValue(
                            dir.resolve("config.json").toFile(), ModelConfig.class);
            TinyNetwork net = new TinyNetwork(c, conv, 0);
            try (NDManager m = NDManager.newBaseManager();
                    InputStream in = Files.newInputStream(dir.resolve("model.safetensors"))) {
                NDList list = NDList.decode(m, in);
                for (var p : net.block.getParameters()) {
                    p.getValue().getArray().set(list.get(p.getKey()).toByteBuffer());
                }
            }
            return net;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All parameter values flattened, in block order (for exact comparisons). */
    public float[][] snapshot() {
        List<float[]> out = new ArrayList<>();
        for (var p : block.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out.toArray(new float[0][]);
    }

    @Override
    public void close() {
        manager.close();
    }
}
