package org.frafer.persons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.frafer.data.EmotionClasses;
import org.junit.jupiter.api.Test;

/**
 * The personalisation arithmetic against independent references: a linear head applied to
 * re-centred embeddings (neutral baseline), the optimality conditions of the few-shot bias, medians
 * by hand (automatic).
 */
class PersonalizerTest {
    static final List<String> CLASSES = EmotionClasses.EIGHT;
    static final int K = CLASSES.size();
    static final int NEUTRAL = CLASSES.indexOf("Neutral");

    /** A random linear head W (K x D), b. */
    record Head(double[][] w, double[] b) {
        float[] logProbs(double[] e) {
            double[] z = new double[K];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < K; c++) {
                z[c] = b[c];
                for (int d = 0; d < e.length; d++) {
                    z[c] += w[c][d] * e[d];
                }
                max = Math.max(max, z[c]);
            }
            double lse = 0;
            for (double v : z) {
                lse += Math.exp(v - max);
            }
            lse = max + Math.log(lse);
            float[] out = new float[K];
            for (int c = 0; c < K; c++) {
                out[c] = (float) (z[c] - lse);
            }
            return out;
        }

        double[] probs(double[] e) {
            float[] lp = logProbs(e);
            double[] p = new double[K];
            for (int c = 0; c < K; c++) {
                p[c] = Math.exp(lp[c]);
            }
            return p;
        }
    }

    static double[] randomVector(Random r, int d, double scale) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = r.nextGaussian() * scale;
        }
        return v;
    }

    static double[] mean(List<double[]> rows) {
        double[] m = new double[rows.get(0).length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i] / rows.size();
            }
        }
        return m;
    }

    @Test
    void neutralBaselineEqualsRecentringTheEmbeddingThroughTheHead() {
        Random r = new Random(7);
        int d = 16;
        Head head = new Head(new double[K][], randomVector(r, K, 0.5));
        for (int c = 0; c < K; c++) {
            head.w[c] = randomVector(r, d, 0.4);
        }
        List<double[]> population = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            population.add(randomVector(r, d, 1));
        }
        double[] offset = randomVector(r, d, 2); // this person's faces sit away from the population
        List<double[]> personNeutral = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            double[] e = randomVector(r, d, 0.3);
            for (int j = 0; j < d; j++) {
                e[j] += offset[j];
            }
            personNeutral.add(e);
        }
        NeutralReference ref =
                NeutralReference.of(
                        CLASSES, population.stream().map(head::logProbs).toList(), "test");
        Personalizer pz = new Personalizer(ref);
        List<PersonProfile.Sample> samples =
                personNeutral.stream()
                        .map(
                                e ->
                                        new PersonProfile.Sample(
                                                "Neutral", "", new float[] {1}, head.logProbs(e)))
                        .toList();
        Personalizer.Adjustment a =
                pz.forProfile(new PersonProfile("p", "m", "fr", CLASSES, samples, null, null));
        assertEquals("neutral", a.mode());
        double[] muN = mean(personNeutral);
        double[] muPop = mean(population);
        for (int t = 0; t < 5; t++) {
            double[] e = randomVector(r, d, 1);
            for (int j = 0; j < d; j++) {
                e[j] += offset[j];
            }
            double[] recentred = new double[d];
            for (int j = 0; j < d; j++) {
                recentred[j] = e[j] - muN[j] + muPop[j];
            }
            double[] expected = head.probs(recentred);
            float[] got = a.apply(head.logProbs(e));
            for (int c = 0; c < K; c++) {
                assertEquals(expected[c], got[c], 2e-5, "class " + c);
            }
        }
    }

    @Test
    void aPersonsOwnNeutralFaceReadsAsThePopulationNeutral() {
        float[] refLp = {-3, -4, -4, -4, -2, -0.3f, -2.5f, -3};
        NeutralReference ref = new NeutralReference(CLASSES, refLp, 1, "test");
        float[] grumpy = {-0.5f, -3, -3, -3, -4, -1.5f, -2, -4}; // resting face read as Anger
        Personalizer.Adjustment a =
                new Personalizer(ref)
                        .forProfile(
                                new PersonProfile(
                                        "p",
                                        "m",
                                        "fr",
                                        CLASSES,
                                        List.of(
                                                new PersonProfile.Sample(
                                                        "Neutral", "", new float[] {1}, grumpy)),
                                        null,
                                        null));
        assertArrayEquals(Personalizer.softmax(refLp), a.apply(grumpy), 1e-6f);
        assertEquals(NEUTRAL, argmax(a.apply(grumpy)));
    }

    @Test
    void fewShotBiasSatisfiesItsOptimalityConditionsOnlyOnEnrolledClasses() {
        Random r = new Random(3);
        float[][] x = new float[12][K];
        int[] y = new int[12];
        boolean[] free = new boolean[K];
        int[] labels = {NEUTRAL, CLASSES.indexOf("Happiness"), CLASSES.indexOf("Sadness")};
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < K; c++) {
                x[i][c] = (float) r.nextGaussian();
            }
            y[i] = labels[i % 3];
            free[y[i]] = true;
        }
        double lambda = 0.1;
        float[] b = Personalizer.fitBias(x, y, free, lambda);
        // independent check: the gradient of mean CE + lambda/2 |b|^2 is zero on the free classes
        for (int c = 0; c < K; c++) {
            if (!free[c]) {
                assertEquals(0f, b[c], "classes never enrolled keep their output");
                continue;
            }
            double g = lambda * b[c];
            for (int i = 0; i < x.length; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < K; j++) {
                    max = Math.max(max, x[i][j] + b[j]);
                }
                double sum = 0;
                for (int j = 0; j < K; j++) {
                    sum += Math.exp(x[i][j] + b[j] - max);
                }
                double p = Math.exp(x[i][c] + b[c] - max) / sum;
                g += (p - (y[i] == c ? 1 : 0)) / x.length;
            }
            assertEquals(0, g, 1e-5, "gradient for class " + c);
        }
    }

    @Test
    void fewShotProfileTeachesAnExpressionTheModelMissed() {
        // this person's sadness reads as Neutral to the model; enrolled examples of it fix that
        float[] refLp = {-4, -4, -4, -4, -4, -0.2f, -3, -4};
        Personalizer pz = new Personalizer(new NeutralReference(CLASSES, refLp, 1, "test"));
        float[] neutral = {-4, -4, -4, -4, -4, -0.1f, -3.5f, -4};
        float[] sad = {-4, -4, -4, -4, -4, -0.4f, -1.5f, -4};
        List<PersonProfile.Sample> s = new ArrayList<>();
        s.add(new PersonProfile.Sample("Neutral", "", new float[] {1}, neutral));
        s.add(new PersonProfile.Sample("Neutral", "", new float[] {1}, neutral));
        s.add(new PersonProfile.Sample("Sadness", "", new float[] {1}, sad));
        s.add(new PersonProfile.Sample("Sadness", "", new float[] {1}, sad));
        PersonProfile p = new PersonProfile("p", "m", "fr", CLASSES, s, null, null);
        assertEquals(NEUTRAL, argmax(Personalizer.softmax(sad)), "unpersonalised: Neutral");
        Personalizer.Adjustment a = pz.forProfile(p);
        assertEquals("few-shot", a.mode());
        assertEquals(CLASSES.indexOf("Sadness"), argmax(a.apply(sad)));
        assertEquals(NEUTRAL, argmax(a.apply(neutral)));
    }

    @Test
    void automaticModeUsesTheGroupMedianAndLeavesSmallGroupsAlone() {
        float[] refLp = new float[K];
        refLp[NEUTRAL] = 2;
        Personalizer pz = new Personalizer(new NeutralReference(CLASSES, refLp, 1, "test"));
        float[] a = new float[K];
        float[] b = new float[K];
        float[] c = new float[K];
        a[0] = 1;
        b[0] = 2;
        c[0] = 10; // an outlier does not move the median
        assertEquals("none", pz.forGroup(List.of(a, b)).mode());
        Personalizer.Adjustment adj = pz.forGroup(List.of(a, b, c));
        assertEquals("auto", adj.mode());
        float[] median = Personalizer.centred(b); // the per-class median of a, b, c is b here
        float[] ref = Personalizer.centred(refLp);
        for (int i = 0; i < K; i++) {
            assertEquals(ref[i] - median[i], adj.shift()[i], 1e-6);
        }
        assertEquals(NEUTRAL, argmax(adj.apply(b)));
    }

    @Test
    void modelsWithoutNeutralOrOtherClassesAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new Personalizer(
                                new NeutralReference(List.of("a", "b"), new float[2], 1, "t")));
        Personalizer pz = new Personalizer(new NeutralReference(CLASSES, new float[K], 1, "t"));
        PersonsException e =
                assertThrows(
                        PersonsException.class,
                        () ->
                                pz.forProfile(
                                        new PersonProfile(
                                                "x",
                                                "m",
                                                "fr",
                                                List.of("Neutral", "Happiness"),
                                                List.of(
                                                        new PersonProfile.Sample(
                                                                "Neutral",
                                                                "",
                                                                new float[] {1},
                                                                new float[2])),
                                                null,
                                                null)));
        assertTrue(e.getMessage().contains("'x'"));
    }

    static int argmax(float[] p) {
        int b = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[b]) {
                b = i;
            }
        }
        return b;
    }
}
