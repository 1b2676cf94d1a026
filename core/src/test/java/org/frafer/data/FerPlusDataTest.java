package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.frafer.Assets;
import org.frafer.data.DatasetSpec.Format;
import org.frafer.data.DatasetSpec.LabelMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real FER+ data (FRAFER_DATA / -Dfrafer.data); skipped when absent. */
@Tag("realdata")
class FerPlusDataTest {
    static Path ferplus() {
        Path root = Assets.dataRoot();
        Assumptions.assumeTrue(
                root != null && Files.isDirectory(root.resolve("ferplus/FER2013Train")),
                "FER+ not available: set FRAFER_DATA (or -Dfrafer.data) to the shared data folder");
        return root.resolve("ferplus");
    }

    /** Counts published with the data (shared/README.md) for the official majority rule. */
    @Test
    void majorityRuleCountsMatchTheReference() {
        Path root = ferplus();
        // FER+ columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt
        String[] ferOrder = {
            "Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust", "Fear", "Contempt"
        };
        int[][] expected = {
            {8733, 7284, 3136, 3022, 2098, 116, 536, 120},
            {1180, 862, 411, 348, 289, 25, 60, 16},
            {1083, 892, 394, 382, 269, 16, 86, 15},
        };
        int[] excluded = {3513, 388, 436};
        String[] splits = {"train", "valid", "test"};
        for (int s = 0; s < 3; s++) {
            LoadedDataset d =
                    Datasets.open(DatasetSpec.of(Format.FERPLUS, root).withSplit(splits[s]));
            int[] counts = d.classCounts();
            int[] got = new int[8];
            for (int i = 0; i < 8; i++) {
                got[i] = counts[EmotionClasses.EIGHT.indexOf(ferOrder[i])];
            }
            System.out.println(d.summary());
            assertArrayEquals(expected[s], got, splits[s]);
            assertEquals(
                    excluded[s],
                    d.dropped().get("no majority / unknown / not-a-face (FER+ majority rule)"),
                    splits[s]);
            assertEquals(1, d.dropped().size(), d.dropped().toString());
        }
        // the same images via the data root itself, 7 classes and soft labels
        LoadedDataset soft7 =
                Datasets.open(
                        DatasetSpec.of(Format.FERPLUS, root.getParent())
                                .withSplit("test")
                                .withClasses(7)
                                .withLabelMode(LabelMode.SOFT));
        assertEquals(3573 - 436 - 15, soft7.samples().size());
        for (FaceSample f : soft7.samples()) {
            float sum = 0;
            int arg = 0;
            for (int i = 0; i < 7; i++) {
                sum += f.softLabel()[i];
                arg = f.softLabel()[i] > f.softLabel()[arg] ? i : arg;
            }
            assertEquals(1f, sum, 1e-5f);
            assertEquals(
                    f.label(), arg, "majority class is the top of the soft label: " + f.image());
        }
    }

    @Test
    void loaderDecodesRealFaces() {
        Path root = ferplus();
        LoadedDataset d =
                Datasets.open(
                        DatasetSpec.of(Format.FERPLUS, root).withSplit("valid").withLimit(64));
        try (BatchLoader l =
                BatchLoader.builder(d).batchSize(32).imageSize(64).training().seed(1).build()) {
            int n = 0;
            for (FaceBatch b : l.epoch(0, 0)) {
                n += b.count();
                // grey photos: the three channels are equal, and not all black
                int plane = 64 * 64;
                double mean = 0;
                for (int i = 0; i < plane; i++) {
                    assertEquals(b.pixels()[i], b.pixels()[plane + i]);
                    assertEquals(b.pixels()[i], b.pixels()[2 * plane + i]);
                    mean += b.pixels()[i];
                }
                assertTrue(mean / plane > 0.05 && mean / plane < 0.95, "mean " + mean / plane);
            }
            assertEquals(64, n);
            assertTrue(l.skippedFiles().isEmpty());
        }
    }

    /**
     * Decoding throughput on FER+ train; a measurement, not a check: runs only with
     * -Dfrafer.bench=true. Prints images/s for 64 and 224 px with 2 threads (no cache), and 224 px
     * from the cache.
     */
    @Test
    void throughput() {
        Assumptions.assumeTrue(
                Boolean.getBoolean("frafer.bench"), "measurement: run with -Dfrafer.bench=true");
        Path root = ferplus();
        int limit = Integer.getInteger("frafer.bench.images", 8192);
        LoadedDataset d =
                Datasets.open(
                        DatasetSpec.of(Format.FERPLUS, root).withSplit("train").withLimit(limit));
        for (int size : new int[] {64, 224}) {
            for (int threads : new int[] {2, 1}) {
                try (BatchLoader l =
                        BatchLoader.builder(d)
                                .batchSize(64)
                                .imageSize(size)
                                .training()
                                .threads(threads)
                                .build()) {
                    for (int e = 0; e < 3; e++) {
                        long t0 = System.nanoTime();
                        int n = 0;
                        for (FaceBatch b : l.epoch(e, 0)) {
                            n += b.count();
                        }
                        double s = (System.nanoTime() - t0) / 1e9;
                        System.out.printf(
                                Locale.ROOT,
                                "FER+ train %d images, %d px, %d threads, epoch %d: %.0f images/s%n",
                                n,
                                size,
                                threads,
                                e,
                                n / s);
                    }
                }
            }
            try (BatchLoader l =
                    BatchLoader.builder(d)
                            .batchSize(64)
                            .imageSize(size)
                            .training()
                            .threads(2)
                            .cacheBytes(512L << 20)
                            .build()) {
                for (int e = 0; e < 3; e++) {
                    long t0 = System.nanoTime();
                    int n = 0;
                    for (FaceBatch b : l.epoch(e, 0)) {
                        n += b.count();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(
                            Locale.ROOT,
                            "FER+ train %d images, %d px, 2 threads, cache (%d MB), epoch %d: %.0f images/s%n",
                            n,
                            size,
                            l.cachedBytes() >> 20,
                            e,
                            n / s);
                }
            }
        }
    }
}
