package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.frafer.data.EmotionClasses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API with test doubles (tiny random network, green-frame detector): plumbing, batching,
 * errors, threads.
 */
@Tag("unit")
class EmotionRecognizerTest {
    static final int SIZE = 64;
    static EmotionRecognizer recognizer;
    static TinyEmotionNetwork network;
    static MarkerDetector detector;

    @TempDir static Path dir;

    static EmotionRecognizer.Builder doubles(TinyEmotionNetwork net, MarkerDetector det) {
        return EmotionRecognizer.builder().network(net).detector(det).cropMargin(0f);
    }

    @BeforeAll
    static void setUp() {
        network = new TinyEmotionNetwork("fra", SIZE);
        detector = new MarkerDetector();
        recognizer = doubles(network, detector).batchSize(4).build();
    }

    @AfterAll
    static void tearDown() {
        recognizer.close();
    }

    @Test
    void predictFindsEveryFaceWithNormalisedProbabilities() {
        BufferedImage img =
                TestImages.withFaces(
                        200, 120, 1, new int[] {10, 10, 50, 60}, new int[] {120, 30, 70, 80});
        List<FaceEmotion> faces = recognizer.predict(img);
        assertEquals(2, faces.size());
        assertEquals(10, faces.get(0).face().x(), 0);
        assertEquals(60, faces.get(0).face().height(), 0);
        assertEquals(120, faces.get(1).face().x(), 0);
        assertEquals(70, faces.get(1).face().width(), 0);
        for (FaceEmotion f : faces) {
            assertEquals(EmotionClasses.EIGHT, f.classes());
            float sum = 0;
            for (float p : f.probabilities()) {
                assertTrue(p >= 0 && p <= 1);
                sum += p;
            }
            assertEquals(1f, sum, 1e-5);
            assertEquals(f.score(), f.probability(f.label()), 0);
            for (float p : f.probabilities()) {
                assertTrue(p <= f.score());
            }
        }
        assertFalse(
                java.util.Arrays.equals(faces.get(0).probabilities(), faces.get(1).probabilities()),
                "different faces should get different outputs");
        assertEquals(0, recognizer.liveArrays(), "every batch must free its native arrays");
    }

    @Test
    void noFaceGivesEmptyList() {
        assertTrue(recognizer.predict(TestImages.withFaces(80, 80, 2)).isEmpty());
    }

    @Test
    void minFaceScoreFiltersDetections() {
        try (EmotionRecognizer strict =
                doubles(new TinyEmotionNetwork("fra", SIZE), new MarkerDetector())
                        .minFaceScore(0.95f)
                        .build()) {
            // MarkerDetector scores every face 0.9
            assertTrue(
                    strict.predict(TestImages.withFaces(100, 100, 3, new int[] {10, 10, 40, 40}))
                            .isEmpty());
        }
    }

    @Test
    void boxesOutsideThePhotoAreIgnored() {
        org.frafer.faces.FaceDetector odd =
                new org.frafer.faces.FaceDetector() {
                    @Override
                    public List<org.frafer.faces.DetectedFace> detect(BufferedImage image) {
                        return List.of(
                                new org.frafer.faces.DetectedFace(
                                        500, 500, 40, 40, 0.9f, new float[0][]),
                                new org.frafer.faces.DetectedFace(
                                        -10, -10, 40, 40, 0.9f, new float[0][]));
                    }

                    @Override
                    public void close() {}
                };
        try (EmotionRecognizer r =
                doubles(TinyEmotionNetwork.sharing(network), null).detector(odd).build()) {
            List<FaceEmotion> faces = r.predict(TestImages.withFaces(100, 100, 4));
            assertEquals(1, faces.size(), "only the box that overlaps the photo");
            assertEquals(-10, faces.get(0).face().x(), 0);
        }
    }

    @Test
    void batchingAcrossImagesMatchesOneByOne() throws Exception {
        List<Path> files = new ArrayList<>();
        int[][][] layouts = {
            {{5, 5, 40, 40}, {60, 10, 30, 50}, {100, 60, 45, 35}},
            {},
            {{20, 20, 80, 70}},
            {{1, 1, 30, 30}, {40, 40, 30, 30}},
            {{50, 10, 60, 90}, {0, 70, 40, 40}, {120, 5, 30, 30}},
        };
        for (int i = 0; i < layouts.length; i++) {
            files.add(
                    TestImages.writePng(
                            TestImages.withFaces(160, 120, 100 + i, layouts[i]),
                            dir.resolve("batch" + i + ".png")));
        }
        List<ImageResult> batched =
                recognizer.predictAll(files); // batch size 4: batches span images
        try (EmotionRecognizer single =
                doubles(network(), new MarkerDetector()).batchSize(1).build()) {
            assertEquals(files.size(), batched.size());
            for (int i = 0; i < files.size(); i++) {
                ImageResult r = batched.get(i);
                assertTrue(r.ok(), r.error());
                assertEquals(files.get(i), r.path());
                assertEquals(160, r.width());
                assertEquals(120, r.height());
                List<FaceEmotion> alone = single.predict(files.get(i));
                assertEquals(layouts[i].length, r.faces().size());
                assertEquals(alone.size(), r.faces().size());
                for (int f = 0; f < alone.size(); f++) {
                    assertArrayEquals(
                            alone.get(f).probabilities(), r.faces().get(f).probabilities(), 1e-5f);
                }
            }
        }
    }

    /**
     * A second recognizer sharing the weights of the first network (same block, not closed by it).
     */
    private static TinyEmotionNetwork network() {
        return TinyEmotionNetwork.sharing(network);
    }

    @Test
    void predictAllReportsBadFilesAndGoesOn() throws Exception {
        Path good =
                TestImages.writePng(
                        TestImages.withFaces(100, 100, 7, new int[] {10, 10, 50, 50}),
                        dir.resolve("good.png"));
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        Path missing = dir.resolve("missing.png");
        List<ImageResult> r = recognizer.predictAll(List.of(empty, good, text, missing));
        assertEquals(4, r.size());
        assertFalse(r.get(0).ok());
        assertTrue(r.get(0).error().contains("empty.jpg"), r.get(0).error());
        assertTrue(r.get(1).ok());
        assertEquals(1, r.get(1).faces().size());
        assertFalse(r.get(2).ok());
        assertTrue(r.get(2).error().contains("notes.png"), r.get(2).error());
        assertFalse(r.get(3).ok());
        assertTrue(r.get(3).error().contains("missing.png"), r.get(3).error());
    }

    @Test
    void predictFacesOnCropsMatchesDetection() {
        BufferedImage img = TestImages.withFaces(200, 150, 11, new int[] {30, 20, 90, 100});
        List<FaceCrop> crops = recognizer.faces(img);
        assertEquals(1, crops.size());
        assertEquals(SIZE, crops.get(0).image().getWidth());
        assertEquals(SIZE, crops.get(0).image().getHeight());
        FaceEmotion detected = recognizer.predict(img).get(0);
        // margin 0: the detection is exactly the frame, so cutting it out by hand gives the same
        // input
        FaceEmotion cropped =
                recognizer.predictFaces(List.of(img.getSubimage(30, 20, 90, 100))).get(0);
        assertArrayEquals(detected.probabilities(), cropped.probabilities(), 1e-6f);
        // a face of another size is resized to the input size first
        BufferedImage big = FaceCropper.resize(crops.get(0).image(), 3 * SIZE, 2 * SIZE);
        assertEquals(
                EmotionClasses.EIGHT.size(),
                recognizer.predictFaces(List.of(big)).get(0).probabilities().length);
    }

    @Test
    void explainExposesAttentionAndFeatureMapsConsistently() {
        BufferedImage img = TestImages.withFaces(120, 120, 13, new int[] {10, 10, 90, 90});
        FaceCrop crop = recognizer.faces(img).get(0);
        FaceExplanation e = recognizer.explain(List.of(crop)).get(0);
        int q = SIZE / 4;
        assertArrayEquals(new long[] {1, q, q}, e.attention().shape());
        assertArrayEquals(
                new long[] {TinyEmotionNetwork.CHANNELS, q, q}, e.featureBefore().shape());
        assertArrayEquals(new long[] {TinyEmotionNetwork.CHANNELS, q, q}, e.featureAfter().shape());
        assertArrayEquals(new long[] {TinyEmotionNetwork.CHANNELS}, e.embedding().shape());
        assertEquals("fra", e.fusion());
        assertTrue(e.attention().min() >= 0 && e.attention().max() <= 1);
        // per sample slices line up: H' = max(S * H, H) and the embedding is the mean of H'
        for (int c = 0; c < TinyEmotionNetwork.CHANNELS; c++) {
            double mean = 0;
            for (int y = 0; y < q; y++) {
                for (int x = 0; x < q; x++) {
                    float h = e.featureBefore().get(c, y, x);
                    float s = e.attention().get(0, y, x);
                    assertEquals(Math.max(s * h, h), e.featureAfter().get(c, y, x), 1e-5);
                    mean += e.featureAfter().get(c, y, x);
                }
            }
            assertEquals(mean / (q * q), e.embedding().data()[c], 1e-5);
        }
        assertArrayEquals(
                recognizer.predict(img).get(0).probabilities(), e.emotion().probabilities(), 1e-5f);
        // margin 0: the face cut out by hand is the same input
        assertArrayEquals(
                e.embedding().data(), recognizer.features(img.getSubimage(10, 10, 90, 90)), 1e-6f);
        assertEquals(crop.face(), e.face());
    }

    @Test
    void explainWithoutAttentionSaysSo() {
        try (EmotionRecognizer plain =
                doubles(new TinyEmotionNetwork("none", SIZE), new MarkerDetector()).build()) {
            FaceExplanation e = plain.explain(TestImages.withFaces(SIZE, SIZE, 17));
            assertFalse(e.hasAttention());
            assertNull(e.attention());
            assertEquals("none", e.fusion());
        }
    }

    @Test
    void concurrentPredictionsEqualSequentialOnes() throws Exception {
        List<BufferedImage> images = new ArrayList<>();
        List<List<FaceEmotion>> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            BufferedImage img =
                    TestImages.withFaces(
                            140,
                            100,
                            200 + i,
                            new int[] {5 + i, 5, 50, 60},
                            new int[] {70, 20 + i, 60, 60});
            images.add(img);
            expected.add(recognizer.predict(img));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<FaceEmotion>>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (BufferedImage img : images) {
                    futures.add(pool.submit(() -> recognizer.predict(img)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                List<FaceEmotion> got = futures.get(i).get();
                List<FaceEmotion> want = expected.get(i % images.size());
                assertEquals(want.size(), got.size());
                for (int f = 0; f < want.size(); f++) {
                    assertArrayEquals(
                            want.get(f).probabilities(), got.get(f).probabilities(), 1e-6f);
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(0, recognizer.liveArrays());
    }

    @Test
    void closeReleasesEverythingAndLaterCallsFail() {
        TinyEmotionNetwork net = new TinyEmotionNetwork("fra", SIZE);
        MarkerDetector det = new MarkerDetector();
        EmotionRecognizer r = doubles(net, det).build();
        r.predict(TestImages.withFaces(60, 60, 5, new int[] {5, 5, 40, 40}));
        r.close();
        assertTrue(net.closed);
        assertTrue(det.closed);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> r.predict(TestImages.withFaces(60, 60, 5)));
        assertTrue(e.getMessage().contains("closed"));
        r.close(); // idempotent
    }

    @Test
    void builderRejectsBadOptionsWithTheirNames() {
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> EmotionRecognizer.builder().batchSize(0))
                        .getMessage()
                        .contains("batch size"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> EmotionRecognizer.builder().minFaceScore(1.5f))
                        .getMessage()
                        .contains("min face score"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> EmotionRecognizer.builder().cropMargin(-1f))
                        .getMessage()
                        .contains("margin"));
        assertTrue(
                assertThrows(
                                IllegalArgumentException.class,
                                () -> EmotionRecognizer.builder().detectorVariant("mtcnn"))
                        .getMessage()
                        .contains("mtcnn"));
    }

    @Test
    void loadingAMissingModelFolderNamesIt() {
        Path nowhere = dir.resolve("no-such-model");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EmotionRecognizer.load(nowhere));
        assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    }

    @Test
    void loadDefaultExplainsThatNoModelIsBundled() {
        String before = System.getProperty("frafer.model");
        System.setProperty("frafer.model", dir.resolve("empty-model-dir").toString());
        try {
            for (Path c : DefaultModel.candidates()) {
                org.junit.jupiter.api.Assumptions.assumeFalse(
                        Files.exists(c.resolve(DefaultModel.CONFIG)),
                        "a default model exists at " + c + "; nothing to check");
            }
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, EmotionRecognizer::loadDefault);
            assertTrue(e.getMessage().contains("No default emotion model"), e.getMessage());
            assertTrue(e.getMessage().contains("--model"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("frafer.model");
            } else {
                System.setProperty("frafer.model", before);
            }
        }
    }

    @Test
    void defaultModelCanComeFromTheClassPath() throws Exception {
        for (Path c : DefaultModel.candidates()) {
            org.junit.jupiter.api.Assumptions.assumeFalse(
                    Files.exists(c.resolve(DefaultModel.CONFIG)),
                    "a default model folder exists at " + c + "; the class path is not consulted");
        }
        Path root = dir.resolve("cp");
        Path res = Files.createDirectories(root.resolve(DefaultModel.RESOURCE));
        Files.writeString(res.resolve(DefaultModel.CONFIG), "{\"fusion\": \"fra\"}");
        Files.write(res.resolve(DefaultModel.WEIGHTS), new byte[] {1, 2, 3});
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (java.net.URLClassLoader loader =
                new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(loader);
            Path found = DefaultModel.locate();
            assertEquals(
                    "{\"fusion\": \"fra\"}", Files.readString(found.resolve(DefaultModel.CONFIG)));
            assertArrayEquals(
                    new byte[] {1, 2, 3}, Files.readAllBytes(found.resolve(DefaultModel.WEIGHTS)));
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void inferenceRecordsNoGradientEvenInsideAGradientCollector() {
        // e.g. a training loop that calls predict for a validation image while collecting gradients
        assertTrue(
                network.trainableParameters().get(0).getArray().hasGradient(),
                "precondition: parameters require grad");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                ai.djl.training.GradientCollector gc =
                        ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
            ai.djl.ndarray.NDArray x = m.ones(new ai.djl.ndarray.types.Shape(1, 3, SIZE, SIZE));
            // (hasGradient() is no probe here: libtorch reports requires_grad only for leaves;
            // backward is)
            gc.backward(network.forwardDetailed(ps, x, false).logits().sum());
            assertTrue(
                    network.trainableParameters()
                                    .get(0)
                                    .getArray()
                                    .getGradient()
                                    .abs()
                                    .sum()
                                    .getFloat()
                            > 0,
                    "precondition: a collector records gradients");
            ai.djl.ndarray.NDArray guarded;
            try (NoGrad g = new NoGrad()) {
                guarded = network.forwardDetailed(ps, x, false).logits().sum();
            }
            Exception e =
                    assertThrows(
                            Exception.class,
                            () -> gc.backward(guarded),
                            "inference must not record gradients");
            assertTrue(e.getMessage().contains("grad"), e.getMessage());
            assertTrue(
                    ai.djl.pytorch.jni.JniUtils.isGradMode(), "the caller's grad mode is restored");
            assertEquals(
                    2,
                    recognizer
                            .predict(
                                    TestImages.withFaces(
                                            100,
                                            60,
                                            3,
                                            new int[] {2, 2, 40, 40},
                                            new int[] {50, 5, 40, 40}))
                            .size());
            assertTrue(
                    ai.djl.pytorch.jni.JniUtils.isGradMode(), "the caller's grad mode is restored");
        }
    }
}
