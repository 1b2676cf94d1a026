package org.frafer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The channels-last storage used for speed must never change a value or cut a gradient. */
@Tag("unit")
class ChannelsLastTest {

    @Test
    void channelsLastKeepsEveryValueInLogicalOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.randomNormal(new Shape(5, 3, 3, 2));
            assertArrayEquals(
                    w.toFloatArray(), FoldedEfficientNet.channelsLast(w).toFloatArray(), 0f);
            NDArray k = m.randomNormal(new Shape(4, 6, 1, 1));
            assertArrayEquals(
                    k.toFloatArray(), FoldedEfficientNet.channelsLast(k).toFloatArray(), 0f);
        }
    }

    @Test
    void trainingForwardStoresTheStemChannelsLastWithoutChangingValuesOrGradients() {
        ModelConfig c = new ModelConfig();
        c.fusion = "none";
        c.inputSize = 32;
        c.dropRate = 0; // the two passes must compute the same function
        try (FraFerNetwork net = Networks.create(c);
                NDManager m = NDManager.newBaseManager()) {
            Parameter stem = net.namedParameters().get("conv_stem.weight");
            float[] before = stem.getArray().toFloatArray();
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
            float[] lossBefore = new float[1];
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) {
                    // a reload replaces the array (as Weights.load does): the next training forward
                    // converts it again
                    stem.getArray().intern(m.create(before, stem.getArray().getShape()));
                }
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray xi = x.duplicate();
                    xi.attach(step);
                    NDArray logits =
                            net.forwardDetailed(new ParameterStore(step, false), xi, true).logits();
                    NDArray loss = logits.square().sum();
                    if (pass == 0) {
                        lossBefore[0] = loss.getFloat();
                    } else {
                        assertEquals(
                                lossBefore[0], loss.getFloat(), 1e-4f * Math.abs(lossBefore[0]));
                    }
                    gc.backward(loss);
                    assertArrayEquals(
                            before,
                            stem.getArray().toFloatArray(),
                            0f,
                            "values unchanged by the layout");
                    assertTrue(stem.getArray().hasGradient(), "the stem still requires a gradient");
                    float g = stem.getArray().getGradient().abs().sum().getFloat();
                    assertTrue(g > 0 && Float.isFinite(g), "the stem gets a gradient, got " + g);
                    stem.getArray()
                            .getGradient()
                            .subi(stem.getArray().getGradient()); // zero it for the next pass
                }
            }
        }
    }
}
