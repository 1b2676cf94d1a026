package org.frafer.persons;

import java.util.Arrays;
import java.util.List;

/**
 * The arithmetic of personalisation, on the emotion model's log-probabilities (one row per face, in
 * class order). Every mode turns an output {@code z} into {@code centred(z) + shift (+ bias)} and a
 * new softmax.
 *
 * <p>Why log-probabilities: the models' heads are linear, so shifting the pooled FER embedding by
 * {@code d} shifts the logits by {@code W d}; log-probabilities are the logits minus a per-face
 * constant that softmax ignores. Re-centring log-probabilities on a person's neutral mean is
 * therefore exactly re-centring their FER embedding, and needs no access to the network.
 */
public final class Personalizer {
    /** Log-probabilities are clamped here (float softmax can round a probability to 0). */
    public static final float MIN_LOG_PROB = -60f;

    /**
     * L2 weight of the few-shot bias (per-sample mean cross-entropy + LAMBDA/2 |b|^2), fixed a
     * priori.
     */
    public static final double FEW_SHOT_LAMBDA = 0.1;

    /** Fewest faces an identity group needs before automatic mode re-centres it. */
    public static final int AUTO_MIN_FACES = 3;

    private final NeutralReference reference;
    private final int neutral;

    public Personalizer(NeutralReference reference) {
        this.reference = reference;
        this.neutral = reference.classes().indexOf("Neutral");
        if (neutral < 0) {
            throw new IllegalArgumentException(
                    "personalisation needs a Neutral class, the model has " + reference.classes());
        }
    }

    public List<String> classes() {
        return reference.classes();
    }

    /**
     * How one person's outputs are changed: {@code centred(z) + shift + bias}.
     *
     * @param mode "neutral", "few-shot", "auto" or "none"
     */
    public record Adjustment(String mode, float[] shift, float[] bias) {
        /** Personalised probabilities of one face. */
        public float[] apply(float[] logProbs) {
            float[] z = centred(logProbs);
            for (int i = 0; i < z.length; i++) {
                z[i] += shift[i] + bias[i];
            }
            return softmax(z);
        }
    }

    public Adjustment none() {
        int k = classes().size();
        return new Adjustment("none", new float[k], new float[k]);
    }

    /**
     * From a profile: its Neutral samples move the person's resting face onto the reference
     * (neutral baseline); when it also has other labels, a bias on the labelled classes is fitted
     * to all its samples (few-shot). A profile without Neutral samples gets only the bias.
     */
    public Adjustment forProfile(PersonProfile p) {
        if (!p.classes().equals(classes())) {
            throw new PersonsException(
                    "profile '"
                            + p.id()
                            + "' was enrolled with classes "
                            + p.classes()
                            + ", the model has "
                            + classes());
        }
        int k = classes().size();
        List<float[]> neutrals =
                p.samples().stream()
                        .filter(s -> s.label().equals("Neutral"))
                        .map(PersonProfile.Sample::logProbs)
                        .toList();
        float[] shift = new float[k];
        if (!neutrals.isEmpty()) {
            shift = shiftOnto(meanCentred(neutrals));
        }
        boolean fewShot = p.samples().stream().anyMatch(s -> !s.label().equals("Neutral"));
        if (!fewShot) {
            return new Adjustment("neutral", shift, new float[k]);
        }
        float[][] x = new float[p.samples().size()][];
        int[] y = new int[x.length];
        boolean[] seen = new boolean[k];
        for (int i = 0; i < x.length; i++) {
            PersonProfile.Sample s = p.samples().get(i);
            x[i] = centred(s.logProbs());
            for (int c = 0; c < k; c++) {
                x[i][c] += shift[c];
            }
            y[i] = classes().indexOf(s.label());
            seen[y[i]] = true;
        }
        return new Adjustment("few-shot", shift, fitBias(x, y, seen, FEW_SHOT_LAMBDA));
    }

    /** Automatic mode for one identity group: its median output is taken as the group's neutral. */
    public Adjustment forGroup(List<float[]> logProbs) {
        if (logProbs.size() < AUTO_MIN_FACES) {
            return none();
        }
        return new Adjustment(
                "auto", shiftOnto(medianCentred(logProbs)), new float[classes().size()]);
    }

    private float[] shiftOnto(float[] personNeutral) {
        float[] s = new float[personNeutral.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = reference.neutral()[i] - personNeutral[i];
        }
        return s;
    }

    /**
     * Bias b (non-zero only on the {@code free} classes) minimising the mean cross-entropy of
     * softmax(x + b) plus lambda/2 |b|^2: convex, solved by gradient descent (step 1 < 2 / L, L <=
     * 1/2 + lambda).
     */
    static float[] fitBias(float[][] x, int[] y, boolean[] free, double lambda) {
        int k = free.length;
        double[] b = new double[k];
        double[] g = new double[k];
        for (int it = 0; it < 500; it++) {
            Arrays.fill(g, 0);
            for (int i = 0; i < x.length; i++) {
                double[] p = softmaxD(x[i], b);
                for (int c = 0; c < k; c++) {
                    g[c] += (p[c] - (c == y[i] ? 1 : 0)) / x.length;
                }
            }
            double step = 0;
            for (int c = 0; c < k; c++) {
                if (free[c]) {
                    double d = g[c] + lambda * b[c];
                    b[c] -= d;
                    step = Math.max(step, Math.abs(d));
                }
            }
            if (step < 1e-7) {
                break;
            }
        }
        float[] out = new float[k];
        for (int c = 0; c < k; c++) {
            out[c] = (float) b[c];
        }
        return out;
    }

    private static double[] softmaxD(float[] x, double[] b) {
        double max = Double.NEGATIVE_INFINITY;
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e[i] = x[i] + b[i];
            max = Math.max(max, e[i]);
        }
        double sum = 0;
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.exp(e[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < e.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    // ---------------------------------------------------------------- vector helpers

    /** Log of probabilities, clamped at {@link #MIN_LOG_PROB}. */
    public static float[] logProbs(float[] probabilities) {
        float[] out = new float[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.max(MIN_LOG_PROB, Math.log(probabilities[i]));
        }
        return out;
    }

    /** v minus its mean (softmax gives the same probabilities). */
    public static float[] centred(float[] v) {
        double m = 0;
        for (float f : v) {
            m += f;
        }
        m /= v.length;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] - m);
        }
        return out;
    }

    static float[] meanCentred(List<float[]> rows) {
        double[] s = new double[rows.get(0).length];
        for (float[] r : rows) {
            float[] c = centred(r);
            for (int i = 0; i < s.length; i++) {
                s[i] += c[i];
            }
        }
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (float) (s[i] / rows.size());
        }
        return out;
    }

    static float[] medianCentred(List<float[]> rows) {
        int k = rows.get(0).length;
        float[] out = new float[k];
        float[] col = new float[rows.size()];
        List<float[]> c = rows.stream().map(Personalizer::centred).toList();
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < col.length; i++) {
                col[i] = c.get(i)[j];
            }
            Arrays.sort(col);
            int n = col.length;
            out[j] = n % 2 == 1 ? col[n / 2] : (col[n / 2 - 1] + col[n / 2]) / 2;
        }
        return out;
    }

    public static float[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] - max);
            sum += e[i];
        }
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }
}
