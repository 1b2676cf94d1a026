package org.frafer.model.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.frafer.model.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code fra-residual}: H * (1 + S), checked element by element against a plain-Java computation of
 * the same formula (sigmoid of the 1x1 conv, same size so no interpolation), and its gradient on a
 * ReLU map, where the paper's max(S * H, H) is the identity with zero gradient for the attention
 * conv.
 */
class FraResidualFusionTest {
    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void isRegisteredUnderItsName() {
        assertTrue(Fusions.isKnown("fra-residual") && Fusions.spec("fra-residual").needsFr());
        assertInstanceOf(FraResidualFusion.class, Fusion.create("fra-residual", 32, 16));
        ModelConfig c = new ModelConfig();
        c.fusion = "fra-residual";
        assertTrue(c.validate().needsFr(), "fra-residual needs the FR branch");
    }

    @Test
    void outputIsHTimesOnePlusS() {
        try (NDManager m = NDManager.newBaseManager()) {
            FraResidualFusion f = new FraResidualFusion(2);
            f.initialize(m, DataType.FLOAT32);
            float[] w = {0.7f, -1.3f};
            float b = 0.2f;
            f.namedParameters().get("conv.weight").getArray().set(w);
            f.namedParameters().get("conv.bias").getArray().set(new float[] {b});
            float[] fr = {0.5f, -1f, 2f, 0f, 1f, 1f, -0.5f, 3f}; // (1, 2, 2, 2)
            float[] fer = {1f, -2f, 0.5f, 4f, -1f, 0f, 3f, -0.25f}; // (1, 2, 2, 2)
            Fusion.Result r =
                    f.apply(
                            new ParameterStore(m, false),
                            m.create(fer, new Shape(1, 2, 2, 2)),
                            m.create(fr, new Shape(1, 2, 2, 2)),
                            false);
            float[] expected = new float[8];
            float[] s = new float[4];
            for (int i = 0; i < 4; i++) {
                s[i] = (float) sigmoid(w[0] * fr[i] + w[1] * fr[4 + i] + b);
            }
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 4; i++) {
                    expected[4 * c + i] = fer[4 * c + i] * (1 + s[i]);
                }
            }
            assertArrayEquals(s, r.attention().toFloatArray(), 1e-6f);
            assertArrayEquals(expected, r.output().toFloatArray(), 1e-6f);
        }
    }

    /**
     * On a ReLU map (H >= 0) the paper's max is inert: zero attention gradient; the residual
     * variant's is H * S(1 - S) * x_FR != 0.
     */
    @Test
    void attentionGetsGradientOnReluMapsWhereMaxGetsNone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray hFer =
                    m.randomUniform(0, 1, new Shape(2, 4, 6, 6)); // non-negative, like a ReLU map
            NDArray hFr = m.randomNormal(new Shape(2, 3, 6, 6));
            for (String name : new String[] {"fra", "fra-residual"}) {
                Fusion f = Fusion.create(name, 4, 3);
                f.initialize(m, DataType.FLOAT32);
                f.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Fusion.Result r = f.apply(new ParameterStore(m, false), hFer, hFr, true);
                    if (name.equals("fra")) {
                        assertEquals(
                                0f,
                                r.output().sub(hFer).abs().max().getFloat(),
                                0f,
                                "max(S*H, H) = H on H >= 0");
                    }
                    gc.backward(r.output().sum());
                }
                float g =
                        f.namedParameters()
                                .get("conv.bias")
                                .getArray()
                                .getGradient()
                                .abs()
                                .max()
                                .getFloat();
                if (name.equals("fra")) {
                    assertEquals(
                            0f,
                            g,
                            0f,
                            "the paper's max passes no gradient to the attention on a ReLU map");
                } else {
                    // d sum(H (1 + S)) / d bias = sum over pixels of (sum_c H) * S (1 - S) > 0
                    NDArray s = r(f, m, hFer, hFr);
                    float expected =
                            hFer.sum(new int[] {1}, true)
                                    .mul(s)
                                    .mul(s.neg().add(1))
                                    .sum()
                                    .getFloat();
                    assertEquals(expected, g, 1e-3f * expected, "bias gradient");
                    assertTrue(g > 0.1f, "residual attention gradient " + g);
                }
            }
        }
    }

    private static NDArray r(Fusion f, NDManager m, NDArray hFer, NDArray hFr) {
        return f.apply(new ParameterStore(m, false), hFer, hFr, false).attention();
    }
}
