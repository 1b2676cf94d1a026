package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.frafer.model.TestTimeAugmentation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API's test-time flip averages the probabilities of the face and its mirror; the config
 * temperature divides the logits.
 */
class TtaTemperatureTest {
    static final int SIZE = 32;
    static TinyEmotionNetwork network;

    @BeforeAll
    static void setUp() {
        network = new TinyEmotionNetwork("fra", SIZE);
    }

    @AfterAll
    static void tearDown() {
        network.close();
    }

    static BufferedImage noise(long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    static BufferedImage mirror(BufferedImage img) {
        BufferedImage m =
                new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                m.setRGB(img.getWidth() - 1 - x, y, img.getRGB(x, y));
            }
        }
        return m;
    }

    static float[] probs(EmotionRecognizer r, BufferedImage face) {
        return r.predictFaces(List.of(face)).get(0).probabilities();
    }

    @Test
    void flipIsTheMeanOfTheFaceAndItsMirror() {
        BufferedImage face = noise(7);
        // the tiny network's logits are scaled up (x20) and its softmax saturates: a temperature of
        // 20 undoes that
        TinyEmotionNetwork a = TinyEmotionNetwork.sharing(network);
        TinyEmotionNetwork b = TinyEmotionNetwork.sharing(network);
        a.config().temperature = 20f;
        b.config().temperature = 20f;
        try (EmotionRecognizer plain = EmotionRecognizer.builder().network(a).build();
                EmotionRecognizer flip =
                        EmotionRecognizer.builder()
                                .network(b)
                                .tta(TestTimeAugmentation.FLIP)
                                .build()) {
            assertEquals(TestTimeAugmentation.FLIP, flip.options().tta());
            float[] p = probs(plain, face);
            float[] pm = probs(plain, mirror(face));
            float[] pf = probs(flip, face);
            double moved = 0;
            for (int k = 0; k < p.length; k++) {
                assertEquals((p[k] + pm[k]) / 2, pf[k], 1e-5, "class " + k);
                moved = Math.max(moved, Math.abs(pf[k] - p[k]));
            }
            assertTrue(
                    moved > 1e-4,
                    "the mirror must change something for this test to mean anything: " + moved);
        }
    }

    @Test
    void temperatureDividesTheLogits() {
        BufferedImage face = noise(11);
        TinyEmotionNetwork base = TinyEmotionNetwork.sharing(network);
        TinyEmotionNetwork hot = TinyEmotionNetwork.sharing(network);
        base.config().temperature = 20f;
        hot.config().temperature = 50f;
        try (EmotionRecognizer plain = EmotionRecognizer.builder().network(base).build();
                EmotionRecognizer scaled = EmotionRecognizer.builder().network(hot).build()) {
            float[] p = probs(plain, face);
            float[] q = probs(scaled, face);
            // log-odds against class 0 are logit differences / T: at T = 50 they are 20/50 of those
            // at T = 20
            for (int k = 1; k < p.length; k++) {
                assertEquals(
                        Math.log(p[k] / p[0]) * 20 / 50, Math.log(q[k] / q[0]), 1e-4, "class " + k);
            }
        }
    }
}
