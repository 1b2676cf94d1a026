package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.frafer.Assets;
import org.frafer.infer.ExplanationPanel;
import org.frafer.infer.RealModels;
import org.frafer.model.EmotionNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} and {@code explain} end to end: a saved (random) FRA-FER model folder, BlazeFace,
 * a real group photo. Skipped with a message when the assets or the pieces are absent.
 */
@Tag("realdata")
class PredictExplainRealTest {
    @TempDir static Path dir;
    static Path model;
    static String missing;

    @BeforeAll
    static void saveModel() {
        missing = RealModels.missingAssets();
        if (missing == null) {
            try (EmotionNetwork n = RealModels.randomNetworkOrNull()) {
                if (n != null) {
                    model = dir.resolve("model");
                    n.save(model);
                }
            }
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void ready() {
        RealModels.assumeReady(missing, model);
    }

    @Test
    void predictAndExplainASamplePhoto() throws Exception {
        Path photo = Assets.require(RealModels.SAMPLE);
        BufferedImage original = ImageIO.read(photo.toFile());
        Path ann = dir.resolve("ann");
        CliTestSupport.Run p =
                CliTestSupport.run(
                        "predict",
                        "--model",
                        model.toString(),
                        "--format",
                        "jsonl",
                        "--annotate",
                        ann.toString(),
                        photo.toString());
        assertEquals(0, p.exitCode(), p.err());
        JsonNode line = new ObjectMapper().readTree(p.out().strip());
        assertEquals("ok", line.get("status").asText());
        int faces = line.get("faces").size();
        assertTrue(faces >= 2, "sample1 is a group photo: " + p.out());
        assertEquals(
                6, line.get("faces").get(0).get("keypoints").size(), "BlazeFace's 6 keypoints");
        BufferedImage a = ImageIO.read(ann.resolve("sample1.jpg").toFile());
        assertEquals(original.getWidth(), a.getWidth());
        assertEquals(original.getHeight(), a.getHeight());

        Path out = dir.resolve("explain");
        CliTestSupport.Run e =
                CliTestSupport.run(
                        "explain",
                        "--model",
                        model.toString(),
                        photo.toString(),
                        "--out",
                        out.toString(),
                        "--raw");
        assertEquals(0, e.exitCode(), e.err());
        for (int f = 1; f <= faces; f++) {
            BufferedImage panel = ImageIO.read(out.resolve("sample1_face" + f + ".png").toFile());
            assertEquals(ExplanationPanel.WIDTH, panel.getWidth());
            assertEquals(ExplanationPanel.HEIGHT, panel.getHeight());
            ExplainCommandTest.readNpy(
                    out.resolve("sample1_face" + f + "_attention.npy"), new long[] {1, 112, 112});
            ExplainCommandTest.readNpy(
                    out.resolve("sample1_face" + f + "_featureBefore.npy"),
                    new long[] {32, 112, 112});
        }
        assertTrue(Files.notExists(out.resolve("sample1_face" + (faces + 1) + ".png")));
    }
}
