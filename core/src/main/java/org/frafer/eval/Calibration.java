package org.frafer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.frafer.model.Probabilities;

/**
 * How far predicted probabilities are from observed accuracy, and temperature scaling to close the
 * gap.
 *
 * <ul>
 *   <li>Expected calibration error, top-label, {@link #BINS} equal-width bins (Guo et al. 2017):
 *       samples fall in bin b when their top probability is in ((b)/B, (b+1)/B]; ECE = sum over
 *       bins of |bin| / n * |accuracy - mean confidence|.
 *   <li>Temperature: the T minimising the mean negative log-likelihood of the true labels under
 *       softmax(logits / T) (views averaged), by golden-section search on log T in [1/20, 20]. The
 *       NLL of one view is convex in 1/T, so the search finds its single minimum.
 * </ul>
 *
 * Probabilities here are over the evaluated classes: softmax over all model outputs, restricted to
 * the outputs the {@link ClassMap} keeps and renormalised (a no-op unless an 8-class model is
 * scored on 7 classes).
 */
public final class Calibration {
    public static final int BINS = 15;
    static final double T_MIN = 1.0 / 20;
    static final double T_MAX = 20;

    private Calibration() {}

    /**
     * One reliability-diagram bin: (lower, upper], samples, their mean top probability and accuracy
     * (NaN when empty).
     */
    public record Bin(
            double lower, double upper, long count, double meanConfidence, double accuracy) {}

    /** Probabilities (n x outputs.length) over the evaluated classes. */
    public static float[] evalProbabilities(
            float[][] viewLogits, int k, int[] outputs, double temperature) {
        float[] full = Probabilities.meanOfViews(viewLogits, k, temperature);
        int n = full.length / k;
        int e = outputs.length;
        float[] out = new float[n * e];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < e; j++) {
                sum += full[i * k + outputs[j]];
            }
            for (int j = 0; j < e; j++) {
                out[i * e + j] = (float) (full[i * k + outputs[j]] / sum);
            }
        }
        return out;
    }

    /** Reliability bins of top-label confidence for n x e probabilities and labels in 0..e-1. */
    public static List<Bin> reliability(float[] probs, int e, int[] labels, int bins) {
        long[] count = new long[bins];
        double[] conf = new double[bins];
        long[] correct = new long[bins];
        for (int i = 0; i < labels.length; i++) {
            int top = 0;
            for (int j = 1; j < e; j++) {
                if (probs[i * e + j] > probs[i * e + top]) {
                    top = j;
                }
            }
            double c = probs[i * e + top];
            int b =
                    Math.min(
                            bins - 1, Math.max(0, (int) Math.ceil(c * bins) - 1)); // (b/B, (b+1)/B]
            count[b]++;
            conf[b] += c;
            if (top == labels[i]) {
                correct[b]++;
            }
        }
        List<Bin> out = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            out.add(
                    new Bin(
                            (double) b / bins,
                            (double) (b + 1) / bins,
                            count[b],
                            count[b] == 0 ? Double.NaN : conf[b] / count[b],
                            count[b] == 0 ? Double.NaN : (double) correct[b] / count[b]));
        }
        return out;
    }

    /** Top-label expected calibration error from reliability bins. */
    public static double ece(List<Bin> bins) {
        long n = 0;
        double sum = 0;
        for (Bin b : bins) {
            if (b.count() > 0) {
                n += b.count();
                sum += b.count() * Math.abs(b.accuracy() - b.meanConfidence());
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Top-label ECE with {@link #BINS} bins. */
    public static double ece(float[] probs, int e, int[] labels) {
        return ece(reliability(probs, e, labels, BINS));
    }

    /**
     * Mean negative log-likelihood of the labels (0..e-1) at this temperature, in double precision
     * throughout.
     */
    public static double nll(
            float[][] viewLogits, int k, int[] outputs, int[] labels, double temperature) {
        double sum = 0;
        double[] p = new double[k];
        double[] e = new double[k];
        for (int i = 0; i < labels.length; i++) {
            java.util.Arrays.fill(p, 0);
            for (float[] view : viewLogits) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, view[i * k + j] / temperature);
                }
                double z = 0;
                for (int j = 0; j < k; j++) {
                    e[j] = Math.exp(view[i * k + j] / temperature - max);
                    z += e[j];
                }
                for (int j = 0; j < k; j++) {
                    p[j] += e[j] / z / viewLogits.length;
                }
            }
            double kept = 0;
            for (int o : outputs) {
                kept += p[o];
            }
            sum -= Math.log(Math.max(p[outputs[labels[i]]] / kept, 1e-300));
        }
        return sum / labels.length;
    }

    /** The temperature minimising {@link #nll}, in [1/20, 20]. */
    public static double fitTemperature(float[][] viewLogits, int k, int[] outputs, int[] labels) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("no labelled samples to fit a temperature on");
        }
        double logT =
                goldenSection(
                        lt -> nll(viewLogits, k, outputs, labels, Math.exp(lt)),
                        Math.log(T_MIN),
                        Math.log(T_MAX),
                        1e-6);
        return Math.exp(logT);
    }

    /** Minimum of a unimodal function on [lo, hi], to within {@code tol} in x. */
    static double goldenSection(DoubleUnaryOperator f, double lo, double hi, double tol) {
        final double r = (Math.sqrt(5) - 1) / 2;
        double a = lo;
        double b = hi;
        double c = b - r * (b - a);
        double d = a + r * (b - a);
        double fc = f.applyAsDouble(c);
        double fd = f.applyAsDouble(d);
        while (b - a > tol) {
            if (fc <= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - r * (b - a);
                fc = f.applyAsDouble(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + r * (b - a);
                fd = f.applyAsDouble(d);
            }
        }
        return (a + b) / 2;
    }
}
