package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClipFeaturesTest {
    @Test
    void oneMatchesTwoPassStatistics() {
        Random rnd = new Random(3);
        int n = 57;
        int d = 6;
        float[][] x = new float[n][d];
        ClipFeatures f = new ClipFeatures();
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                row[i] =
                        (float)
                                (rnd.nextGaussian() * (i + 1)
                                        + 100 * i); // large offsets: where naive sums lose digits
            }
            f.add(row);
        }
        double[] desc = f.descriptor();
        assertEquals(4 * d, desc.length);
        for (int i = 0; i < d; i++) {
            double mean = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float[] row : x) {
                mean += row[i];
                min = Math.min(min, row[i]);
                max = Math.max(max, row[i]);
            }
            mean /= n;
            double var = 0;
            for (float[] row : x) {
                var += (row[i] - mean) * (row[i] - mean);
            }
            assertEquals(mean, desc[i], 1e-9 * Math.max(1, Math.abs(mean)));
            assertEquals(Math.sqrt(var / n), desc[d + i], 1e-9 * Math.max(1, Math.abs(mean)));
            assertEquals(min, desc[2 * d + i], 0);
            assertEquals(max, desc[3 * d + i], 0);
        }
        assertEquals(n, f.frames());
    }

    @Test
    void frameFeaturesAreEmbeddingThenProbabilities() {
        float[] x = ClipFeatures.frameFeatures(new float[] {1, 2, 3}, new float[] {0.25f, 0.75f});
        assertEquals(5, x.length);
        assertEquals(3, x[2]);
        assertEquals(0.25f, x[3]);
        assertNull(new ClipFeatures().descriptor());
    }
}
