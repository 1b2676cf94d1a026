package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Loss values against torch.nn.functional.cross_entropy (tools/train/loss_reference.py), tolerance
 * 1e-6.
 */
@Tag("unit")
class LossesTest {
    static final float[] LOGITS = {
        1.0f, -0.5f, 0.3f, 0.2f, 0.1f, -1.2f, -0.7f, 2.0f, 0.5f, 0.0f, 0.4f, 0.9f
    };
    static final int[] LABELS = {0, 2, 1, 1};
    static final float[] WEIGHTS = {0.5f, 2.0f, 1.5f};
    static final float[] SOFT = {
        0.7f, 0.2f, 0.1f, 0f, 0.5f, 0.5f, 0.1f, 0.8f, 0.1f, 0.25f, 0.25f, 0.5f
    };

    static double loss(float[] targets, float[] weights, double smoothing) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(LOGITS, new Shape(4, 3));
            NDArray t =
                    targets == null
                            ? m.create(LABELS).oneHot(3)
                            : m.create(targets, new Shape(4, 3));
            return Losses.crossEntropy(z, t, weights == null ? null : m.create(weights), smoothing)
                    .getFloat();
        }
    }

    @Test
    void matchesTorchCrossEntropy() {
        assertEquals(1.0407180786132812, loss(null, null, 0), 1e-6);
        assertEquals(1.0707180500030518, loss(null, null, 0.1), 1e-6);
        assertEquals(1.0715731382369995, loss(null, WEIGHTS, 0), 1e-6);
        assertEquals(1.0780351161956787, loss(null, WEIGHTS, 0.1), 1e-6);
        assertEquals(1.0382180213928223, loss(SOFT, null, 0), 1e-6);
        assertEquals(1.0684679746627808, loss(SOFT, null, 0.1), 1e-6);
    }

    @Test
    void balancedClassWeights() {
        // 10 samples over 3 present classes: w_k = 10 / (3 n_k); the empty class gets 0.
        assertArrayEquals(
                new float[] {10f / 15, 10f / 6, 0f, 10f / 9},
                Losses.balancedClassWeights(new double[] {5, 2, 0, 3}),
                1e-6f);
        assertThrows(
                IllegalArgumentException.class,
                () -> Losses.balancedClassWeights(new double[] {0, 0}));
        // power 0.5: square roots of the same weights; power 0: every present class weighs 1
        assertArrayEquals(
                new float[] {
                    (float) Math.sqrt(10.0 / 15),
                    (float) Math.sqrt(10.0 / 6),
                    0f,
                    (float) Math.sqrt(10.0 / 9)
                },
                Losses.balancedClassWeights(new double[] {5, 2, 0, 3}, 0.5),
                1e-6f);
        assertArrayEquals(
                new float[] {1f, 1f, 0f, 1f},
                Losses.balancedClassWeights(new double[] {5, 2, 0, 3}, 0),
                1e-6f);
    }

    @Test
    void cosineScheduleGoesFromLrToZero() {
        TrainConfig.Stage s = new TrainConfig.Stage("x", "all", 1, 0.1);
        assertEquals(0.1, Trainer.learningRate(s, 0, 100, "cosine"), 1e-12);
        assertEquals(0.05, Trainer.learningRate(s, 50, 100, "cosine"), 1e-12);
        assertEquals(0.0, Trainer.learningRate(s, 100, 100, "cosine"), 1e-12);
        assertEquals(0.1, Trainer.learningRate(s, 50, 100, "constant"), 1e-12);
    }

    @Test
    void warmUpRisesLinearlyThenTheScheduleRunsOverTheRest() {
        TrainConfig.Stage s = new TrainConfig.Stage("x", "all", 1, 0.1);
        assertEquals(0.01, Trainer.learningRate(s, 0, 110, "cosine", 10), 1e-12);
        assertEquals(0.05, Trainer.learningRate(s, 4, 110, "cosine", 10), 1e-12);
        assertEquals(0.1, Trainer.learningRate(s, 10, 110, "cosine", 10), 1e-12);
        assertEquals(0.05, Trainer.learningRate(s, 60, 110, "cosine", 10), 1e-12);
        assertEquals(0.0, Trainer.learningRate(s, 110, 110, "cosine", 10), 1e-12);
        assertEquals(0.1, Trainer.learningRate(s, 60, 110, "constant", 10), 1e-12);
        // a stage shorter than the warm-up still reaches a positive lr on its first step
        assertTrue(Trainer.learningRate(s, 0, 3, "cosine", 10) > 0);
    }

    @Test
    void logitAdjustmentIsTauTimesTheLogPrior() {
        float[] off = Losses.logitAdjustment(new double[] {6, 3, 1, 0}, 1.0);
        assertArrayEquals(
                new float[] {
                    (float) Math.log(0.6),
                    (float) Math.log(0.3),
                    (float) Math.log(0.1),
                    (float) Math.log(0.05)
                },
                off,
                1e-6f);
        float[] half = Losses.logitAdjustment(new double[] {6, 3, 1, 0}, 0.5);
        assertEquals(0.5 * Math.log(0.6), half[0], 1e-6);
        assertThrows(
                IllegalArgumentException.class,
                () -> Losses.logitAdjustment(new double[] {0, 0}, 1));
    }
}
