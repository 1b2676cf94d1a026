package org.frafer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import org.frafer.model.Probabilities;
import org.junit.jupiter.api.Test;

/**
 * ECE, reliability bins and the temperature fit against hand-computed cases, a numpy fixture and a
 * known optimum.
 */
class CalibrationTest {
    static final int[] ALL2 = {0, 1};

    @Test
    void eceByHand() {
        // 4 samples, 2 classes. Top confidences 0.9 (right), 0.9 (wrong), 0.59 (right), 0.55
        // (right).
        // Bins of width 1/15: 0.9 -> (0.8667, 0.9333] (bin 13), 0.59 -> (0.5333, 0.6] (bin 8), 0.55
        // -> bin 8.
        // bin 13: acc 0.5, conf 0.9 -> 2/4 * 0.4 = 0.2; bin 8: acc 1, conf 0.57 -> 2/4 * 0.43 =
        // 0.215. ECE 0.415.
        float[] p = {0.9f, 0.1f, 0.1f, 0.9f, 0.59f, 0.41f, 0.45f, 0.55f};
        int[] labels = {0, 0, 0, 1};
        List<Calibration.Bin> bins = Calibration.reliability(p, 2, labels, 15);
        assertEquals(2, bins.get(13).count());
        assertEquals(2, bins.get(8).count());
        assertEquals(0.415, Calibration.ece(bins), 1e-6);
        assertEquals(0.6, bins.get(8).upper(), 1e-12);
        // a perfectly calibrated set: confidence 0.75, 3 of 4 right
        float[] q = {0.75f, 0.25f, 0.75f, 0.25f, 0.75f, 0.25f, 0.75f, 0.25f};
        assertEquals(0.0, Calibration.ece(q, 2, new int[] {0, 0, 0, 1}), 1e-6);
    }

    @Test
    void eceMatchesNumpyReference() throws IOException {
        JsonNode f;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/eval/ece.json")) {
            f = new ObjectMapper().readTree(in);
        }
        int n = f.get("n").asInt();
        int k = f.get("k").asInt();
        float[] probs = new float[n * k];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                probs[i * k + j] = (float) f.get("probs").get(i).get(j).asDouble();
            }
            labels[i] = f.get("labels").get(i).asInt();
        }
        List<Calibration.Bin> bins = Calibration.reliability(probs, k, labels, Calibration.BINS);
        for (int b = 0; b < Calibration.BINS; b++) {
            assertEquals(f.get("binCounts").get(b).asLong(), bins.get(b).count(), "bin " + b);
        }
        assertEquals(f.get("ece").asDouble(), Calibration.ece(bins), 1e-6);
        // the same probabilities from logits at T = 1 (log p), and the numpy NLL at T = 2
        float[] logits = new float[n * k];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probs[i]);
        }
        int[] all = new int[k];
        for (int j = 0; j < k; j++) {
            all[j] = j;
        }
        assertEquals(
                f.get("nllT2").asDouble(),
                Calibration.nll(new float[][] {logits}, k, all, labels, 2.0),
                1e-5);
    }

    @Test
    void temperatureFitFindsTheKnownOptimum() {
        // Two classes, every sample with logits (d, 0), a fraction q of them labelled 0: the NLL is
        // minimal where
        // sigmoid(d / T) = q, i.e. T = d / ln(q / (1 - q)).
        double d = 2.0;
        int n = 100;
        float[] logits = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            logits[2 * i] = (float) d;
            labels[i] = i < 80 ? 0 : 1;
        }
        double expected = d / Math.log(0.8 / 0.2);
        assertEquals(
                expected,
                Calibration.fitTemperature(new float[][] {logits}, 2, ALL2, labels),
                1e-4);
        // over-confident: 60 % right at logit 2 -> T = 2 / ln 1.5 = 4.93
        for (int i = 0; i < n; i++) {
            labels[i] = i < 60 ? 0 : 1;
        }
        assertEquals(
                d / Math.log(1.5),
                Calibration.fitTemperature(new float[][] {logits}, 2, ALL2, labels),
                1e-3);
    }

    @Test
    void temperatureFitRecoversTheTemperatureLabelsWereDrawnAt() {
        Random r = new Random(3);
        int n = 20000;
        int k = 5;
        double t0 = 2.5;
        float[] logits = new float[n * k];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                logits[i * k + j] = (float) (3 * r.nextGaussian());
            }
            float[] p =
                    Probabilities.softmax(
                            java.util.Arrays.copyOfRange(logits, i * k, (i + 1) * k), k, t0);
            double u = r.nextDouble();
            int y = 0;
            for (double c = p[0]; c < u && y < k - 1; c += p[++y]) {
                // inverse-CDF draw
            }
            labels[i] = y;
        }
        double t =
                Calibration.fitTemperature(
                        new float[][] {logits}, k, new int[] {0, 1, 2, 3, 4}, labels);
        assertEquals(t0, t, 0.1, "maximum-likelihood temperature of 20,000 draws");
        double ece1 =
                Calibration.ece(
                        Calibration.evalProbabilities(
                                new float[][] {logits}, k, new int[] {0, 1, 2, 3, 4}, 1.0),
                        k,
                        labels);
        double eceT =
                Calibration.ece(
                        Calibration.evalProbabilities(
                                new float[][] {logits}, k, new int[] {0, 1, 2, 3, 4}, t),
                        k,
                        labels);
        assertTrue(eceT < 0.02 && ece1 > 0.1, "ECE at T=1 " + ece1 + ", at the fitted T " + eceT);
    }

    @Test
    void viewsAreAveragedAndDroppedOutputsRenormalised() {
        float[] a = {1, 0, 0};
        float[] b = {0, 2, 0};
        float[] mean = Probabilities.meanOfViews(new float[][] {a, b}, 3, 1.0);
        float[] pa = Probabilities.softmax(a, 3, 1.0);
        float[] pb = Probabilities.softmax(b, 3, 1.0);
        for (int j = 0; j < 3; j++) {
            assertEquals((pa[j] + pb[j]) / 2, mean[j], 1e-7);
        }
        // e^1 / (e^1 + 2) by hand
        assertEquals(Math.E / (Math.E + 2), pa[0], 1e-6);
        // output 2 dropped: the other two renormalised
        float[] kept =
                Calibration.evalProbabilities(new float[][] {a, b}, 3, new int[] {0, 1}, 1.0);
        assertArrayEquals(
                new float[] {mean[0] / (mean[0] + mean[1]), mean[1] / (mean[0] + mean[1])},
                kept,
                1e-6f);
    }

    @Test
    void goldenSectionFindsAParabolaMinimum() {
        assertEquals(
                1.234,
                Calibration.goldenSection(x -> (x - 1.234) * (x - 1.234) + 3, -5, 5, 1e-8),
                1e-6);
    }
}
