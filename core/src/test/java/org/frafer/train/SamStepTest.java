package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.frafer.data.FaceBatch;
import org.frafer.nn.NamedParameter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One training step on a linear softmax classifier against the update computed by hand (double
 * precision, closed-form gradients): SAM = gradient at w, w + rho g/||g||, gradient there, step
 * from w.
 */
@Tag("unit")
class SamStepTest {
    static final int N = 4;
    static final int K = 3;
    static final int D = 12; // 3 x 2 x 2 pixels, flattened NCHW
    static final double RHO = 0.05;

    final float[] x = new float[N * D];
    final int[] labels = {0, 2, 1, 2};
    final float[] w0 = new float[K * D];
    final float[] b0 = {0.1f, -0.2f, 0.05f};

    SamStepTest() {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.7 * i + 0.3);
        }
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) (0.3 * Math.cos(1.3 * i));
        }
    }

    /** d loss / d (W, b) for mean cross-entropy of softmax(x W^T + b), packed [W (K*D), b (K)]. */
    double[] gradient(double[] wb) {
        double[] g = new double[K * D + K];
        for (int i = 0; i < N; i++) {
            double[] z = new double[K];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < K; k++) {
                z[k] = wb[K * D + k];
                for (int d = 0; d < D; d++) {
                    z[k] += wb[k * D + d] * x[i * D + d];
                }
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < K; k++) {
                sum += Math.exp(z[k] - max);
            }
            for (int k = 0; k < K; k++) {
                double dz = (Math.exp(z[k] - max) / sum - (labels[i] == k ? 1 : 0)) / N;
                for (int d = 0; d < D; d++) {
                    g[k * D + d] += dz * x[i * D + d];
                }
                g[K * D + k] += dz;
            }
        }
        return g;
    }

    double[] start() {
        double[] wb = new double[K * D + K];
        for (int i = 0; i < K * D; i++) {
            wb[i] = w0[i];
        }
        for (int k = 0; k < K; k++) {
            wb[K * D + k] = b0[k];
        }
        return wb;
    }

    double[] samGradient(double[] wb) {
        double[] g = gradient(wb);
        double norm = 0;
        for (double v : g) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        double[] perturbed = wb.clone();
        for (int i = 0; i < g.length; i++) {
            perturbed[i] += RHO * g[i] / (norm + 1e-12);
        }
        return gradient(perturbed);
    }

    /** Runs Trainer.step once and returns [W, b] afterwards. */
    double[] trainerStep(String optimizer, boolean sam, double lr) {
        TrainConfig c = TrainConfig.recipe("paper");
        c.model = TinyNetwork.config(TrainerTest.CLASSES.subList(0, K), 2);
        c.optimizer = optimizer;
        c.sam = sam;
        c.samRho = RHO;
        SyntheticBatches dummy = new SyntheticBatches(N, N, 2, K, 1, false);
        try (TinyNetwork net = new TinyNetwork(c.model, false, 0);
                NDManager base = NDManager.newBaseManager();
                AdamOptimizer opt = AdamOptimizer.of(c)) {
            net.head().getParameters().get("weight").getArray().set(w0);
            net.head().getParameters().get("bias").getArray().set(b0);
            Trainer t =
                    new Trainer(
                                    net,
                                    c,
                                    new TrainData(dummy, null, c.model.classes, null, "t"),
                                    java.nio.file.Path.of("unused"))
                            .log(null);
            List<NamedParameter> params = t.stageParameters(c.stages.get(0));
            FaceBatch batch = new FaceBatch(x, 2, labels, null, K, null);
            t.step(base, batch, params, opt, lr, 0);
            float[] w = net.head().getParameters().get("weight").getArray().toFloatArray();
            float[] b = net.head().getParameters().get("bias").getArray().toFloatArray();
            double[] out = new double[K * D + K];
            for (int i = 0; i < K * D; i++) {
                out[i] = w[i];
            }
            for (int k = 0; k < K; k++) {
                out[K * D + k] = b[k];
            }
            return out;
        }
    }

    @Test
    void samWithSgdMatchesHandComputedUpdate() {
        double lr = 0.5;
        double[] wb = start();
        double[] g2 = samGradient(wb);
        double[] plain = gradient(wb);
        double[] got = trainerStep("sgd", true, lr);
        double maxGapToPlain = 0;
        for (int i = 0; i < wb.length; i++) {
            assertEquals(wb[i] - lr * g2[i], got[i], 2e-6, "parameter " + i);
            maxGapToPlain = Math.max(maxGapToPlain, Math.abs(g2[i] - plain[i]) * lr);
        }
        // The test has teeth: the SAM update differs clearly from a plain gradient step.
        org.junit.jupiter.api.Assertions.assertTrue(
                maxGapToPlain > 1e-3, "SAM and plain updates differ by " + maxGapToPlain);
    }

    @Test
    void samWithAdamMatchesHandComputedFirstAdamStep() {
        double lr = 0.01;
        double eps = 1e-8;
        double[] wb = start();
        double[] g2 = samGradient(wb);
        double[] got = trainerStep("adam", true, lr);
        for (int i = 0; i < wb.length; i++) {
            double m = 0.1 * g2[i] / (1 - 0.9);
            double v = 0.001 * g2[i] * g2[i] / (1 - 0.999);
            assertEquals(wb[i] - lr * m / (Math.sqrt(v) + eps), got[i], 2e-6, "parameter " + i);
        }
    }

    @Test
    void plainStepWithSgdMatchesGradient() {
        double lr = 0.5;
        double[] wb = start();
        double[] g = gradient(wb);
        double[] got = trainerStep("sgd", false, lr);
        for (int i = 0; i < wb.length; i++) {
            assertEquals(wb[i] - lr * g[i], got[i], 2e-6, "parameter " + i);
        }
    }
}
