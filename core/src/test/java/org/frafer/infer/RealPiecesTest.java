package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.model.EmotionNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API on the real sample photos with the real BlazeFace detector and a real (randomly
 * initialised) FRA-FER network. Skipped with a message when the assets or the pieces are absent.
 */
@Tag("unit")
class RealPiecesTest {
    static EmotionNetwork network;
    static String missing;

    @BeforeAll
    static void setUp() {
        missing = RealModels.missingAssets();
        network = missing == null ? RealModels.randomNetworkOrNull() : null;
    }

    @org.junit.jupiter.api.BeforeEach
    void ready() {
        RealModels.assumeReady(missing, network);
    }

    @AfterAll
    static void tearDown() {
        if (network != null) {
            network.close();
        }
    }

    static EmotionRecognizer recognizer(int batchSize) {
        return EmotionRecognizer.builder()
                .network(RealModels.unowned(network))
                .batchSize(batchSize)
                .build();
    }

    @Test
    void samplePhotosBatchedAcrossImagesMatchOneByOne() {
        List<Path> photos =
                List.of(
                        Assets.require("samples/sample1.jpg"),
                        Assets.require("samples/sample4.jpg"));
        List<ImageResult> batched;
        try (EmotionRecognizer r = recognizer(8)) {
            batched = r.predictAll(photos);
        }
        try (EmotionRecognizer single = recognizer(1)) {
            for (int i = 0; i < photos.size(); i++) {
                ImageResult res = batched.get(i);
                assertTrue(res.ok(), res.error());
                assertTrue(
                        res.faces().size() >= 2,
                        photos.get(i)
                                + ": the group photo has several faces, found "
                                + res.faces().size());
                List<FaceCrop> crops =
                        single.faces(Images.read(photos.get(i), Images.DEFAULT_MAX_PIXELS));
                assertEquals(crops.size(), res.faces().size());
                for (int f = 0; f < crops.size(); f++) {
                    FaceEmotion b = res.faces().get(f);
                    assertEquals(crops.get(f).face().x(), b.face().x(), 0f);
                    assertEquals(crops.get(f).face().y(), b.face().y(), 0f);
                    assertEquals(crops.get(f).face().width(), b.face().width(), 0f);
                    assertTrue(
                            b.face().x() >= -1
                                    && b.face().x() + b.face().width() <= res.width() + 1,
                            "box inside the photo: " + b);
                    assertTrue(b.face().score() >= 0.5f);
                    float sum = 0;
                    for (float p : b.probabilities()) {
                        sum += p;
                    }
                    assertEquals(1f, sum, 1e-4f);
                    FaceEmotion alone = single.classify(List.of(crops.get(f))).get(0);
                    assertArrayEquals(alone.probabilities(), b.probabilities(), 1e-5f);
                }
            }
        }
    }

    @Test
    void explainShowsTheFraAttentionAtTheStem() {
        try (EmotionRecognizer r = recognizer(4)) {
            List<FaceCrop> crops =
                    r.faces(
                            Images.read(
                                    Assets.require(RealModels.SAMPLE), Images.DEFAULT_MAX_PIXELS));
            FaceExplanation e = r.explain(crops.subList(0, 1)).get(0);
            assertArrayEquals(new long[] {1, 112, 112}, e.attention().shape());
            assertArrayEquals(new long[] {32, 112, 112}, e.featureBefore().shape());
            assertArrayEquals(new long[] {32, 112, 112}, e.featureAfter().shape());
            assertEquals(1280, e.embedding().data().length);
            float[] s = e.attention().data();
            float[] h = e.featureBefore().data();
            float[] after = e.featureAfter().data();
            int plane = 112 * 112;
            for (int i = 0; i < h.length; i++) {
                assertEquals(Math.max(s[i % plane] * h[i], h[i]), after[i], 1e-5f);
            }
            assertArrayEquals(
                    r.classify(crops.subList(0, 1)).get(0).probabilities(),
                    e.emotion().probabilities(),
                    1e-5f);
        }
    }

    @Test
    void aSavedModelLoadsWithTheSameOutputs(@TempDir Path dir) {
        network.save(dir);
        try (EmotionRecognizer memory = recognizer(4);
                EmotionRecognizer loaded = EmotionRecognizer.load(dir)) {
            List<FaceCrop> crops =
                    memory.faces(
                            Images.read(
                                    Assets.require(RealModels.SAMPLE), Images.DEFAULT_MAX_PIXELS));
            List<java.awt.image.BufferedImage> faces = new ArrayList<>();
            crops.forEach(c -> faces.add(c.image()));
            List<FaceEmotion> a = memory.predictFaces(faces);
            List<FaceEmotion> b = loaded.predictFaces(faces);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).probabilities(), b.get(i).probabilities(), 1e-5f);
            }
        }
    }
}
