package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class BatchLoaderTest {
    @TempDir Path dir;

    static final int N = 23;
    static final int W = 12;
    static final int H = 10;

    /** N random RGB 12x10 PNGs with labels i % 8. */
    LoadedDataset dataset(int n, boolean grey) throws IOException {
        Random r = new Random(3);
        List<FaceSample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int v = r.nextInt(256);
                    img.setRGB(x, y, grey ? v * 0x010101 : r.nextInt(0x1000000));
                }
            }
            Path f = dir.resolve(String.format("img%02d.png", i));
            ImageIO.write(img, "png", f.toFile());
            samples.add(new FaceSample(f, null, i % 8, null, "s" + (i % 3)));
        }
        return new LoadedDataset("test", EmotionClasses.EIGHT, samples, Map.of());
    }

    static List<FaceBatch> all(BatchLoader l, int epoch, int skip) {
        List<FaceBatch> out = new ArrayList<>();
        for (FaceBatch b : l.epoch(epoch, skip)) {
            out.add(b);
        }
        return out;
    }

    static void assertSameBatches(List<FaceBatch> a, List<FaceBatch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).pixels(), b.get(i).pixels(), "batch " + i);
            assertArrayEquals(a.get(i).labels(), b.get(i).labels(), "batch " + i);
            assertEquals(a.get(i).samples(), b.get(i).samples());
        }
    }

    static List<Path> order(List<FaceBatch> batches) {
        List<Path> out = new ArrayList<>();
        for (FaceBatch b : batches) {
            b.samples().forEach(s -> out.add(s.image()));
        }
        return out;
    }

    @Test
    void sameSeedSameBatchesWhateverTheThreadCount() throws IOException {
        LoadedDataset d = dataset(N, false);
        try (BatchLoader bg =
                        BatchLoader.builder(d)
                                .batchSize(5)
                                .imageSize(16)
                                .seed(7)
                                .training()
                                .threads(2)
                                .prefetch(3)
                                .build();
                BatchLoader fg =
                        BatchLoader.builder(d)
                                .batchSize(5)
                                .imageSize(16)
                                .seed(7)
                                .training()
                                .threads(0)
                                .build()) {
            assertEquals(5, bg.batchesPerEpoch());
            assertEquals(N, bg.size());
            assertEquals(8, bg.numClasses());
            List<FaceBatch> e0 = all(bg, 0, 0);
            assertSameBatches(e0, all(fg, 0, 0));
            assertSameBatches(e0, all(bg, 0, 0));
            assertEquals(List.of(5, 5, 5, 5, 3), e0.stream().map(FaceBatch::count).toList());
            FaceBatch first = e0.get(0);
            assertEquals(5 * 3 * 16 * 16, first.pixels().length);
            assertEquals(16, first.size());
            assertNull(first.softLabels());
            for (float v : first.pixels()) {
                assertTrue(v >= 0f && v <= 1f);
            }
            // every sample exactly once, labels consistent with samples
            List<Path> o0 = order(e0);
            assertEquals(N, new HashSet<>(o0).size());
            for (FaceBatch b : e0) {
                for (int i = 0; i < b.count(); i++) {
                    assertEquals(b.samples().get(i).label(), b.labels()[i]);
                }
            }
            // another epoch: another order; another seed: another order
            List<Path> o1 = order(all(bg, 1, 0));
            assertNotEquals(o0, o1);
            assertEquals(new HashSet<>(o0), new HashSet<>(o1));
            try (BatchLoader other =
                    BatchLoader.builder(d).batchSize(5).imageSize(16).seed(8).training().build()) {
                assertNotEquals(o0, order(all(other, 0, 0)));
            }
        }
    }

    @Test
    void augmentationIsDecidedPerSeedEpochAndIndexWhateverTheThreadCount() throws IOException {
        LoadedDataset d = dataset(N, false);
        try (BatchLoader bg =
                        BatchLoader.builder(d)
                                .batchSize(5)
                                .imageSize(16)
                                .seed(7)
                                .training()
                                .augmentation(Augmentation.STANDARD)
                                .threads(2)
                                .build();
                BatchLoader fg =
                        BatchLoader.builder(d)
                                .batchSize(5)
                                .imageSize(16)
                                .seed(7)
                                .training()
                                .augmentation(Augmentation.STANDARD)
                                .threads(0)
                                .build();
                BatchLoader plain =
                        BatchLoader.builder(d)
                                .batchSize(5)
                                .imageSize(16)
                                .seed(7)
                                .training()
                                .threads(0)
                                .build()) {
            List<FaceBatch> e0 = all(bg, 0, 0);
            assertSameBatches(e0, all(fg, 0, 0));
            assertSameBatches(all(bg, 0, 2), e0.subList(2, e0.size()));
            // same order and labels as without augmentation, other pixels
            List<FaceBatch> p0 = all(plain, 0, 0);
            assertEquals(order(p0), order(e0));
            assertNotEquals(
                    java.util.Arrays.toString(p0.get(0).pixels()),
                    java.util.Arrays.toString(e0.get(0).pixels()));
            // another epoch draws other augmentations
            assertNotEquals(
                    bg.augmentationRandom(0, 3).nextLong(), bg.augmentationRandom(1, 3).nextLong());
        }
    }

    @Test
    void resumedEpochContinuesExactly() throws IOException {
        LoadedDataset d = dataset(N, false);
        try (BatchLoader l =
                BatchLoader.builder(d).batchSize(4).imageSize(9).seed(11).training().build()) {
            List<FaceBatch> full = all(l, 3, 0);
            List<FaceBatch> resumed = all(l, 3, 2);
            assertSameBatches(full.subList(2, full.size()), resumed);
            assertSameBatches(full.subList(4, 5), List.of(l.batch(3, 4)));
            // stopping early and starting a new epoch is fine
            l.epoch(4, 0).iterator().next();
            assertSameBatches(full, all(l, 3, 0));
        }
    }

    @Test
    void noShuffleKeepsDatasetOrder() throws IOException {
        LoadedDataset d = dataset(7, false);
        try (BatchLoader l = BatchLoader.builder(d).batchSize(3).imageSize(8).build()) {
            assertEquals(d.samples().stream().map(FaceSample::image).toList(), order(all(l, 5, 0)));
        }
    }

    @Test
    void flipMirrorsTheImageAndIsDecidedPerSeedEpochAndIndex() throws IOException {
        LoadedDataset d = dataset(N, false);
        // image size 12 x 10 -> 12 x 12: columns are not resampled, so a flip is an exact mirror
        try (BatchLoader plain =
                        BatchLoader.builder(d).batchSize(N).imageSize(W).threads(0).build();
                BatchLoader aug =
                        BatchLoader.builder(d)
                                .batchSize(N)
                                .imageSize(W)
                                .flip(true)
                                .seed(5)
                                .threads(0)
                                .build()) {
            FaceBatch p = all(plain, 0, 0).get(0);
            FaceBatch a = all(aug, 0, 0).get(0);
            int plane = W * W;
            int flipped = 0;
            for (int i = 0; i < N; i++) {
                boolean f = aug.flipped(0, i);
                flipped += f ? 1 : 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < W; y++) {
                        for (int x = 0; x < W; x++) {
                            float expected =
                                    p.pixels()[(i * 3 + c) * plane + y * W + (f ? W - 1 - x : x)];
                            assertEquals(expected, a.pixels()[(i * 3 + c) * plane + y * W + x]);
                        }
                    }
                }
            }
            assertTrue(flipped > 0 && flipped < N, "some flipped, some not: " + flipped);
            // decisions: deterministic, about half, differ between epochs
            int on = 0;
            int changed = 0;
            for (int i = 0; i < 10_000; i++) {
                on += aug.flipped(2, i) ? 1 : 0;
                changed += aug.flipped(2, i) != aug.flipped(3, i) ? 1 : 0;
                assertEquals(aug.flipped(2, i), aug.flipped(2, i));
                assertFalse(plain.flipped(2, i));
            }
            assertTrue(on > 4700 && on < 5300, "flip rate " + on / 1e4);
            assertTrue(
                    changed > 4700 && changed < 5300,
                    "epoch-to-epoch change rate " + changed / 1e4);
        }
    }

    @Test
    void resizeIgnoresAspectAndMatchesFacePreprocess() throws IOException {
        LoadedDataset d = dataset(3, false);
        List<FaceSample> boxed = new ArrayList<>();
        for (FaceSample s : d.samples()) {
            boxed.add(new FaceSample(s.image(), new int[] {2, 1, 7, 8}, s.label(), null, null));
        }
        LoadedDataset withBoxes = new LoadedDataset("boxed", d.classes(), boxed, Map.of());
        try (BatchLoader l = BatchLoader.builder(withBoxes).batchSize(3).imageSize(20).build()) {
            FaceBatch b = all(l, 0, 0).get(0);
            for (int i = 0; i < 3; i++) {
                float[] expected =
                        FacePreprocess.toChw(
                                Images.read(boxed.get(i).image(), 1000),
                                new int[] {2, 1, 7, 8},
                                20,
                                false);
                assertArrayEquals(
                        expected, Arrays.copyOfRange(b.pixels(), i * 1200, (i + 1) * 1200));
            }
        }
    }

    @Test
    void corruptImageIsReportedOnceAndSkipped() throws IOException {
        LoadedDataset d = dataset(10, false);
        Path bad = d.samples().get(4).image();
        Files.writeString(bad, "this is not a PNG");
        Path gone = d.samples().get(7).image();
        Files.delete(gone);
        try (BatchLoader l = BatchLoader.builder(d).batchSize(5).imageSize(8).build()) {
            List<FaceBatch> e0 = all(l, 0, 0);
            assertEquals(
                    List.of(4, 4),
                    e0.stream().map(FaceBatch::count).toList(),
                    "batches just get smaller");
            assertEquals(4 * 3 * 64, e0.get(0).pixels().length);
            assertFalse(order(e0).contains(bad));
            all(l, 1, 0);
            List<String> skipped = l.skippedFiles();
            assertEquals(2, skipped.size(), skipped.toString());
            assertTrue(
                    skipped.get(0).contains(bad.toString())
                            && skipped.get(0).contains("not an image"),
                    skipped.get(0));
            assertTrue(
                    skipped.get(1).contains(gone.toString())
                            && skipped.get(1).contains("not found"),
                    skipped.get(1));
        }
    }

    @Test
    void batchWhereEveryImageFailsIsNotYielded() throws IOException {
        LoadedDataset d = dataset(6, false);
        Files.writeString(d.samples().get(2).image(), "x");
        Files.writeString(d.samples().get(3).image(), "y");
        try (BatchLoader l = BatchLoader.builder(d).batchSize(2).imageSize(4).build()) {
            assertEquals(List.of(2, 2), all(l, 0, 0).stream().map(FaceBatch::count).toList());
        }
    }

    @Test
    void cacheKeepsGreyCropsAtOneBytePerPixelAndGivesIdenticalOutput() throws IOException {
        LoadedDataset d = dataset(N, true);
        try (BatchLoader cached =
                        BatchLoader.builder(d)
                                .batchSize(6)
                                .imageSize(14)
                                .training()
                                .seed(2)
                                .cacheBytes(1 << 20)
                                .build();
                BatchLoader plain =
                        BatchLoader.builder(d)
                                .batchSize(6)
                                .imageSize(14)
                                .training()
                                .seed(2)
                                .build()) {
            List<FaceBatch> a = all(cached, 0, 0);
            assertSameBatches(a, all(plain, 0, 0));
            assertEquals(N * (W * H + 64L), cached.cachedBytes());
            // files gone: the cache still serves epoch 1
            for (FaceSample s : d.samples()) {
                Files.delete(s.image());
            }
            List<FaceBatch> b = all(cached, 1, 0);
            assertEquals(N, order(b).size());
            assertTrue(cached.skippedFiles().isEmpty());
            assertTrue(all(plain, 1, 0).isEmpty(), "without the cache every file is now missing");
        }
        try (BatchLoader small =
                BatchLoader.builder(dataset(N, false))
                        .cacheBytes(3 * (W * H * 3 + 64L))
                        .imageSize(4)
                        .build()) {
            all(small, 0, 0);
            assertEquals(3 * (W * H * 3 + 64L), small.cachedBytes(), "budget respected");
        }
    }

    @Test
    void softLabelsAreBatched() throws IOException {
        LoadedDataset d = dataset(4, false);
        List<FaceSample> soft = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FaceSample s = d.samples().get(i);
            float[] t = new float[8];
            t[i] = 0.75f;
            t[7] = 0.25f;
            soft.add(new FaceSample(s.image(), null, i, i == 3 ? null : t, null));
        }
        try (BatchLoader l =
                BatchLoader.builder(new LoadedDataset("soft", EmotionClasses.EIGHT, soft, Map.of()))
                        .batchSize(4)
                        .imageSize(4)
                        .build()) {
            FaceBatch b = all(l, 0, 0).get(0);
            assertEquals(32, b.softLabels().length);
            assertEquals(0.75f, b.softLabels()[0]);
            assertEquals(0.25f, b.softLabels()[7]);
            assertEquals(0.75f, b.softLabels()[8 + 1]);
            assertEquals(
                    1f, b.softLabels()[3 * 8 + 3], "one-hot for a sample without a soft label");
        }
    }

    @Test
    void orderIsAPermutation() throws IOException {
        try (BatchLoader l = BatchLoader.builder(dataset(N, false)).training().seed(1).build()) {
            Set<Integer> seen = new HashSet<>();
            for (int i : l.order(9)) {
                seen.add(i);
            }
            assertEquals(N, seen.size());
            assertArrayEquals(l.order(9), l.order(9));
        }
    }
}
