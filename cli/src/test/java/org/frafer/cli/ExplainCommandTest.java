package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.ExplanationPanel;
import org.frafer.infer.FaceExplanation;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer explain} with the test doubles: panels, raw arrays, fusions without attention, bad
 * files.
 */
@Tag("unit")
class ExplainCommandTest {
    static final int Q = CliTestSupport.SIZE / 4;

    @TempDir Path dir;

    TinyEmotionNetwork weights;

    @AfterEach
    void tearDown() {
        CliTestSupport.reset();
        if (weights != null) {
            weights.close();
        }
    }

    @Test
    void panelsAndRawArraysForEveryFace() throws Exception {
        weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        CliTestSupport.useDoubles(weights);
        Path photo =
                TestImages.writePng(
                        TestImages.withFaces(
                                160, 120, 1, new int[] {5, 5, 60, 60}, new int[] {90, 30, 60, 80}),
                        dir.resolve("two.png"));
        Path bad = Files.writeString(dir.resolve("bad.jpg"), "not a jpeg");
        Path out = dir.resolve("out");
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "explain",
                        photo.toString(),
                        bad.toString(),
                        "--out",
                        out.toString(),
                        "--raw",
                        "--margin",
                        "0");
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("bad.jpg") && run.err().contains("error:"), run.err());
        assertTrue(run.err().contains("2 face(s) explained"), run.err());

        FaceExplanation first;
        try (EmotionRecognizer r =
                EmotionRecognizer.builder()
                        .network(TinyEmotionNetwork.sharing(weights))
                        .detector(new MarkerDetector())
                        .cropMargin(0f)
                        .build()) {
            first = r.explain(r.faces(ImageIO.read(photo.toFile()))).get(0);
        }
        for (int f = 1; f <= 2; f++) {
            BufferedImage panel = ImageIO.read(out.resolve("two_face" + f + ".png").toFile());
            assertEquals(ExplanationPanel.WIDTH, panel.getWidth());
            assertEquals(ExplanationPanel.HEIGHT, panel.getHeight());
            JsonNode meta =
                    new ObjectMapper().readTree(out.resolve("two_face" + f + ".json").toFile());
            assertEquals("fra", meta.get("fusion").asText());
            assertEquals(8, meta.get("probabilities").size());
            JsonNode att = meta.get("arrays").get("attention");
            assertEquals("[1," + Q + "," + Q + "]", att.get("shape").toString());
            float[] s = readNpy(out.resolve(att.get("npy").asText()), new long[] {1, Q, Q});
            float[] before =
                    readNpy(
                            out.resolve(
                                    meta.get("arrays").get("featureBefore").get("npy").asText()),
                            new long[] {TinyEmotionNetwork.CHANNELS, Q, Q});
            float[] after =
                    readNpy(
                            out.resolve(meta.get("arrays").get("featureAfter").get("npy").asText()),
                            new long[] {TinyEmotionNetwork.CHANNELS, Q, Q});
            for (int i = 0; i < after.length; i++) {
                float h = before[i];
                assertEquals(Math.max(s[i % (Q * Q)] * h, h), after[i], 1e-5f);
            }
            if (f == 1) {
                assertEquals(first.emotion().label(), meta.get("label").asText());
                for (int i = 0; i < s.length; i++) {
                    assertEquals(first.attention().data()[i], s[i], 0f);
                }
            }
        }
        try (var files = Files.list(out)) {
            assertEquals(
                    2 * (1 + 1 + 4),
                    files.count(),
                    "per face: panel, json, 4 npy (attention, before, after, embedding)");
        }
    }

    @Test
    void modelsWithoutAttentionSaySoInPanelAndJson() throws Exception {
        weights = new TinyEmotionNetwork("none", CliTestSupport.SIZE);
        CliTestSupport.useDoubles(weights);
        Path photo =
                TestImages.writePng(
                        TestImages.withFaces(100, 100, 2, new int[] {10, 10, 70, 70}),
                        dir.resolve("p.png"));
        Path out = dir.resolve("o");
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "explain",
                        photo.toString(),
                        "--out",
                        out.toString(),
                        "--raw",
                        "--raw-format",
                        "json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode meta = new ObjectMapper().readTree(out.resolve("p_face1.json").toFile());
        assertTrue(meta.get("arrays").get("attention").isNull());
        assertEquals(
                TinyEmotionNetwork.CHANNELS * Q * Q,
                meta.get("arrays").get("featureBefore").get("data").size());
        BufferedImage panel = ImageIO.read(out.resolve("p_face1.png").toFile());
        // the attention tile is the grey "no FR attention" placeholder
        int x = 12 + 224 + 12 + 5;
        int y = 34 + 5;
        assertEquals(0xDDDDDD, panel.getRGB(x, y) & 0xFFFFFF);
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "json format: panel + json only");
        }
    }

    @Test
    void noFaceIsReportedAndNotAnError() throws Exception {
        weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        CliTestSupport.useDoubles(weights);
        Path photo = TestImages.writePng(TestImages.withFaces(80, 80, 3), dir.resolve("empty.png"));
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "explain", photo.toString(), "--out", dir.resolve("o").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("empty.png: no face found"), run.err());
    }

    /** Reads a little-endian float32 .npy, checking its header names the expected shape. */
    static float[] readNpy(Path f, long[] shape) throws IOException {
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        int headerLen = (b[8] & 0xff) | ((b[9] & 0xff) << 8);
        String header = new String(b, 10, headerLen, StandardCharsets.US_ASCII);
        StringBuilder want = new StringBuilder("'shape': (");
        for (int i = 0; i < shape.length; i++) {
            want.append(shape[i])
                    .append(i < shape.length - 1 ? ", " : shape.length == 1 ? "," : "");
        }
        assertTrue(header.contains("'descr': '<f4'") && header.contains(want + ")"), header);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        assertEquals(10 + headerLen + 4 * n, b.length);
        float[] out = new float[(int) n];
        ByteBuffer.wrap(b, 10 + headerLen, (int) (4 * n))
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(out);
        return out;
    }
}
