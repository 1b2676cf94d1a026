package org.frafer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.frafer.nn.NamedParameter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three optimizer steps on fixed gradients against torch.optim's update rules written out in
 * doubles.
 */
@Tag("unit")
class AdamOptimizerTest {
    static final double[] W0 = {0.5, -1.0, 2.0, 0.25};
    static final double[][] GRADS = {
        {0.1, -0.2, 0.3, 0.0}, {-0.05, 0.4, 0.1, 0.2}, {0.2, 0.2, -0.3, -0.1}
    };
    static final double LR = 0.01;
    static final double WD = 0.1;

    static double[] reference(String kind, boolean matrix) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double[] w = W0.clone();
        double[] m = new double[4];
        double[] v = new double[4];
        for (int t = 1; t <= GRADS.length; t++) {
            for (int i = 0; i < 4; i++) {
                double g = GRADS[t - 1][i];
                if (kind.equals("adam")) {
                    g += WD * w[i];
                }
                if (kind.equals("adamw") && matrix) {
                    w[i] *= 1 - LR * WD;
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mhat = m[i] / (1 - Math.pow(b1, t));
                double vhat = v[i] / (1 - Math.pow(b2, t));
                w[i] -= LR * mhat / (Math.sqrt(vhat) + eps);
            }
        }
        return w;
    }

    static float[] run(String kind, Shape shape, AdamOptimizer[] keep, int steps) {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(toFloat(W0), shape));
            AdamOptimizer opt =
                    keep[0] != null ? keep[0] : new AdamOptimizer(kind, 0.9, 0.999, 1e-8, WD);
            keep[0] = opt;
            List<NamedParameter> params = List.of(new NamedParameter("w", p));
            for (int t = 0; t < steps; t++) {
                NDArray g = m.create(toFloat(GRADS[(int) opt.step()]), shape);
                opt.update(params, List.of(g), LR);
            }
            return p.getArray().toFloatArray();
        }
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void adamAdamwAndTheirWeightDecayFollowTorchRules() {
        for (String kind : List.of("adam", "adamw")) {
            for (Shape shape : List.of(new Shape(4), new Shape(2, 2))) {
                AdamOptimizer[] keep = new AdamOptimizer[1];
                float[] got = run(kind, shape, keep, 3);
                keep[0].close();
                double[] want = reference(kind, shape.dimension() >= 2);
                for (int i = 0; i < 4; i++) {
                    assertEquals(want[i], got[i], 1e-6, kind + " " + shape + " [" + i + "]");
                }
            }
        }
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        // 2 steps, save moments, load into a fresh optimizer, 1 more step == 3 steps straight.
        Shape shape = new Shape(2, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(toFloat(W0), shape));
            List<NamedParameter> params = List.of(new NamedParameter("w", p));
            try (AdamOptimizer a = new AdamOptimizer("adamw", 0.9, 0.999, 1e-8, WD)) {
                for (int t = 0; t < 2; t++) {
                    a.update(params, List.of(m.create(toFloat(GRADS[t]), shape)), LR);
                }
                NDList state = a.stateArrays();
                byte[] bytes = state.encode(NDList.Encoding.SAFETENSORS);
                try (AdamOptimizer b = new AdamOptimizer("adamw", 0.9, 0.999, 1e-8, WD)) {
                    b.loadState(NDList.decode(m, bytes), a.step());
                    b.update(params, List.of(m.create(toFloat(GRADS[2]), shape)), LR);
                }
            }
            float[] got = p.getArray().toFloatArray();
            double[] want = reference("adamw", true);
            for (int i = 0; i < 4; i++) {
                assertEquals(want[i], got[i], 1e-6);
            }
        }
    }

    @Test
    void unknownOptimizerIsRejected() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new AdamOptimizer("rmsprop", 0.9, 0.999, 1e-8, 0));
        assertEquals(true, e.getMessage().contains("rmsprop"));
    }
}
