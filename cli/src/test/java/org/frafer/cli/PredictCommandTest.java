package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.frafer.data.EmotionClasses;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.ImageResult;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.TestImages;
import org.frafer.infer.TinyEmotionNetwork;
import org.frafer.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fra-fer predict} with the test doubles: formats parse back, bad files, annotations, globs.
 */
@Tag("unit")
class PredictCommandTest {
    static TinyEmotionNetwork weights;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @BeforeAll
    static void setUp() {
        weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        CliTestSupport.useDoubles(weights);
    }

    @AfterAll
    static void tearDown() {
        CliTestSupport.reset();
        weights.close();
    }

    private Path photo(String name, long seed, int[]... boxes) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        return TestImages.writePng(TestImages.withFaces(160, 120, seed, boxes), f);
    }

    private static List<JsonNode> jsonl(String out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void jsonlParsesBackAndMatchesTheApi() throws Exception {
        Path a = photo("a.png", 1, new int[] {5, 5, 50, 60}, new int[] {80, 20, 60, 70});
        Path b = photo("b.png", 2, new int[] {30, 30, 70, 70});
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "predict",
                        "--format",
                        "jsonl",
                        "--margin",
                        "0",
                        a.toString(),
                        b.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> lines = jsonl(run.out());
        assertEquals(2, lines.size());
        List<ImageResult> api;
        try (EmotionRecognizer r =
                EmotionRecognizer.builder()
                        .network(TinyEmotionNetwork.sharing(weights))
                        .detector(new MarkerDetector())
                        .cropMargin(0f)
                        .build()) {
            api = r.predictAll(List.of(a, b));
        }
        for (int i = 0; i < 2; i++) {
            JsonNode line = lines.get(i);
            assertEquals(api.get(i).path().toString(), line.get("file").asText());
            assertEquals("ok", line.get("status").asText());
            assertEquals(160, line.get("width").asInt());
            assertEquals(120, line.get("height").asInt());
            JsonNode faces = line.get("faces");
            assertEquals(api.get(i).faces().size(), faces.size());
            for (int f = 0; f < faces.size(); f++) {
                JsonNode face = faces.get(f);
                var want = api.get(i).faces().get(f);
                assertEquals(want.face().x(), face.get("box").get("x").floatValue(), 0);
                assertEquals(want.face().width(), face.get("box").get("width").floatValue(), 0);
                assertEquals(2, face.get("keypoints").size());
                assertEquals(want.label(), face.get("label").asText());
                float[] p = new float[EmotionClasses.EIGHT.size()];
                List<String> names = new ArrayList<>();
                face.get("probabilities").fieldNames().forEachRemaining(names::add);
                assertEquals(EmotionClasses.EIGHT, names, "probabilities keep class order");
                for (int k = 0; k < p.length; k++) {
                    p[k] = face.get("probabilities").get(names.get(k)).floatValue();
                }
                assertArrayEquals(want.probabilities(), p, 1e-6f);
                assertEquals(want.score(), face.get("score").floatValue(), 1e-6f);
            }
        }
    }

    @Test
    void csvQuotesAwkwardNamesAndParsesBack() throws Exception {
        Path odd =
                photo(
                        "we\"ird, name.png",
                        3,
                        new int[] {10, 10, 60, 60},
                        new int[] {90, 40, 50, 50});
        Path none = photo("nobody.png", 4);
        CliTestSupport.Run run =
                CliTestSupport.run("predict", "--format", "csv", odd.toString(), none.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("nobody.png: no face found"), run.err());
        CsvMapper mapper = new CsvMapper();
        List<Map<String, String>> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it =
                mapper.readerFor(Map.class)
                        .with(CsvSchema.emptySchema().withHeader())
                        .readValues(run.out())) {
            it.forEachRemaining(rows::add);
        }
        assertEquals(3, rows.size());
        assertEquals(odd.toString(), rows.get(0).get("file"));
        assertEquals("ok", rows.get(0).get("status"));
        assertEquals("1", rows.get(0).get("face"));
        assertEquals("2", rows.get(1).get("face"));
        assertEquals(90f, Float.parseFloat(rows.get(1).get("x")), 0);
        for (int i = 0; i < 2; i++) {
            double sum = 0;
            String best = null;
            double bestP = -1;
            for (String c : EmotionClasses.EIGHT) {
                double p = Double.parseDouble(rows.get(i).get(c));
                sum += p;
                if (p > bestP) {
                    bestP = p;
                    best = c;
                }
            }
            assertEquals(1, sum, 1e-5);
            assertEquals(best, rows.get(i).get("label"));
            assertEquals(bestP, Double.parseDouble(rows.get(i).get("score")), 1e-7);
        }
        assertEquals("no_face", rows.get(2).get("status"));
        assertEquals("", rows.get(2).get("label"));
    }

    @Test
    void tableListsEveryFaceAndImage() throws Exception {
        Path a = photo("t1.png", 5, new int[] {5, 5, 50, 60});
        Path b = photo("t2.png", 6);
        CliTestSupport.Run run = CliTestSupport.run("predict", a.toString(), b.toString());
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(3, lines.length, run.out());
        assertTrue(lines[0].startsWith("FILE"));
        assertTrue(lines[1].startsWith(a.toString()) && lines[1].contains("5,5,50,60"), lines[1]);
        assertTrue(EmotionClasses.EIGHT.stream().anyMatch(lines[1]::contains), lines[1]);
        assertTrue(lines[2].startsWith(b.toString()) && lines[2].contains("no face"), lines[2]);
    }

    @Test
    void badFilesAreReportedOneByOneWhileTheOthersSucceed() throws Exception {
        Path good1 = photo("in/good1.png", 7, new int[] {10, 10, 50, 50});
        Files.createFile(dir.resolve("in/empty.jpg"));
        Files.writeString(dir.resolve("in/readme.png"), "this is text, not a PNG");
        Files.write(dir.resolve("in/bomb.png"), TestFiles.pngHeaderOnly(60_000, 60_000));
        byte[] jpeg = jpegBytes(TestImages.withFaces(120, 90, 8, new int[] {5, 5, 40, 40}));
        Files.write(
                dir.resolve("in/truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
        Path noface = photo("in/noface.png", 9);
        Path good2 = photo("in/z_good2.png", 10, new int[] {60, 30, 50, 50});
        Path locked = photo("in/locked.png", 11, new int[] {10, 10, 50, 50});
        boolean canLock = locked.toFile().setReadable(false, false) && !Files.isReadable(locked);
        if (!canLock) {
            Files.delete(locked); // running as root: permissions do not stop reading
        }
        Path missing = dir.resolve("missing.png");

        CliTestSupport.Run run =
                CliTestSupport.run(
                        "predict",
                        "--format",
                        "jsonl",
                        dir.resolve("in").toString(),
                        missing.toString());
        assertEquals(1, run.exitCode(), run.err());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode n : jsonl(run.out())) {
            byName.put(Path.of(n.get("file").asText()).getFileName().toString(), n);
        }
        assertEquals("ok", byName.get("good1.png").get("status").asText());
        assertEquals(1, byName.get("good1.png").get("faces").size());
        assertEquals("ok", byName.get("z_good2.png").get("status").asText());
        assertEquals("no_face", byName.get("noface.png").get("status").asText());
        Map<String, String> expectedReason =
                new HashMap<>(
                        Map.of(
                                "empty.jpg", "empty",
                                "readme.png", "not an image",
                                "bomb.png", "pixels",
                                "truncated.jpg", "truncated"));
        if (canLock) {
            expectedReason.put("locked.png", "readable");
        }
        for (var e : expectedReason.entrySet()) {
            JsonNode n = byName.get(e.getKey());
            assertEquals("error", n.get("status").asText(), e.getKey());
            assertTrue(n.get("error").asText().contains(e.getKey()), n.get("error").asText());
            assertTrue(
                    n.get("error").asText().toLowerCase().contains(e.getValue()),
                    e.getKey() + ": " + n.get("error").asText());
            assertTrue(
                    run.err().contains("error: " + n.get("error").asText()),
                    "stderr names " + e.getKey() + ":\n" + run.err());
        }
        assertTrue(run.err().contains("missing.png: no such file"), run.err());
        assertTrue(run.err().contains("noface.png: no face found"), run.err());
        int failures = expectedReason.size() + 1;
        assertTrue(run.err().contains(failures + " failed"), run.err());
        assertFalse(byName.containsKey("missing.png"));
    }

    @Test
    void maxPixelsCapsDecoding() throws Exception {
        Path a = photo("big.png", 12, new int[] {5, 5, 50, 50});
        CliTestSupport.Run run =
                CliTestSupport.run("predict", "--max-pixels", "10000", a.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("big.png") && run.err().contains("19,200 pixels"), run.err());
    }

    @Test
    void annotateWritesImagesOfTheInputSize() throws Exception {
        Path a = photo("sub/x.png", 13, new int[] {10, 10, 60, 60});
        Path jpg = dir.resolve("sub/y.jpg");
        ImageIO.write(
                TestImages.withFaces(150, 100, 14, new int[] {20, 20, 50, 50}),
                "jpeg",
                jpg.toFile());
        Path out = dir.resolve("annotated");
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "predict", "--annotate", out.toString(), dir.resolve("sub").toString());
        assertEquals(0, run.exitCode(), run.err());
        BufferedImage ax = ImageIO.read(out.resolve("x.png").toFile());
        assertEquals(160, ax.getWidth());
        assertEquals(120, ax.getHeight());
        BufferedImage ay = ImageIO.read(out.resolve("y.jpg").toFile());
        assertEquals(150, ay.getWidth());
        assertEquals(100, ay.getHeight());
        // the box is drawn over the green frame: its top-left corner is no longer pure green
        BufferedImage original = ImageIO.read(a.toFile());
        assertTrue(MarkerDetectorColour.isGreen(original.getRGB(40, 10)));
        assertFalse(MarkerDetectorColour.isGreen(ax.getRGB(40, 10)));
        try (var s = Files.list(out)) {
            assertEquals(2, s.count(), "no temporary files left");
        }
    }

    @Test
    void globsFoldersAndOutputFile() throws Exception {
        photo("g/one.png", 15, new int[] {10, 10, 60, 60});
        photo("g/deep/two.png", 16, new int[] {10, 10, 60, 60});
        Files.writeString(dir.resolve("g/notes.txt"), "skip me");
        Path result = dir.resolve("result.jsonl");
        Files.writeString(result, "old content\n");
        CliTestSupport.Run run =
                CliTestSupport.run(
                        "predict",
                        "--format",
                        "jsonl",
                        "-o",
                        result.toString(),
                        dir.resolve("g") + "/**.png");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.out());
        List<JsonNode> lines = jsonl(Files.readString(result));
        assertEquals(2, lines.size());
        assertTrue(lines.stream().allMatch(n -> n.get("status").asText().equals("ok")));

        CliTestSupport.Run top =
                CliTestSupport.run("predict", "--format", "jsonl", dir.resolve("g") + "/*.png");
        assertEquals(1, jsonl(top.out()).size(), "a single * stays in its folder");
        CliTestSupport.Run none = CliTestSupport.run("predict", dir.resolve("g") + "/*.gif");
        assertEquals(1, none.exitCode());
        assertTrue(none.err().contains("no file matches"), none.err());
        CliTestSupport.Run folder =
                CliTestSupport.run("predict", "--format", "jsonl", dir.resolve("g").toString());
        assertEquals(2, jsonl(folder.out()).size());
        assertTrue(folder.err().contains("skipped 1 file"), folder.err());
    }

    @Test
    void batchSizeDoesNotChangeResults() throws Exception {
        List<String> args =
                new ArrayList<>(List.of("predict", "--format", "jsonl", "--batch-size"));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(
                    photo(
                                    "bs" + i + ".png",
                                    20 + i,
                                    new int[] {5, 5, 40, 40},
                                    new int[] {60, 10 + i, 50, 50},
                                    new int[] {116, 60, 40, 40})
                            .toString());
        }
        List<List<JsonNode>> outs = new ArrayList<>();
        for (String bs : List.of("1", "5")) {
            List<String> a = new ArrayList<>(args);
            a.add(bs);
            a.addAll(files);
            CliTestSupport.Run run = CliTestSupport.run(a.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.err());
            outs.add(jsonl(run.out()));
        }
        for (int i = 0; i < files.size(); i++) {
            assertEquals(3, outs.get(0).get(i).get("faces").size());
            assertEquals(3, outs.get(1).get(i).get("faces").size());
            for (int f = 0; f < 3; f++) {
                for (String c : EmotionClasses.EIGHT) {
                    assertEquals(
                            outs.get(0)
                                    .get(i)
                                    .get("faces")
                                    .get(f)
                                    .get("probabilities")
                                    .get(c)
                                    .floatValue(),
                            outs.get(1)
                                    .get(i)
                                    .get("faces")
                                    .get(f)
                                    .get("probabilities")
                                    .get(c)
                                    .floatValue(),
                            1e-5f);
                }
            }
        }
    }

    @Test
    void missingModelGivesAClearMessage() throws Exception {
        CliTestSupport.reset();
        try {
            Path a = photo("m.png", 30, new int[] {5, 5, 40, 40});
            CliTestSupport.Run run =
                    CliTestSupport.run(
                            "predict", "--model", dir.resolve("nope").toString(), a.toString());
            assertEquals(2, run.exitCode());
            assertTrue(
                    run.err().contains("cannot load the model") && run.err().contains("nope"),
                    run.err());
        } finally {
            CliTestSupport.useDoubles(weights);
        }
    }

    @Test
    void exifOrientationIsRespected() throws Exception {
        // stored 160x120 with a face at (20, 30, 60x50); EXIF 6 = shown turned 90 degrees clockwise
        BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(new java.awt.Color(70, 70, 70));
        g.fillRect(0, 0, 160, 120);
        g.setColor(new java.awt.Color(0, 255, 0));
        g.fillRect(20, 30, 60, 50);
        g.setColor(new java.awt.Color(200, 120, 90));
        g.fillRect(26, 36, 48, 38);
        g.dispose();
        Path f = Files.write(dir.resolve("turned.jpg"), withExifOrientation(jpegBytes(img), 6));
        CliTestSupport.Run run = CliTestSupport.run("predict", "--format", "jsonl", f.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode line = jsonl(run.out()).get(0);
        assertEquals(120, line.get("width").asInt());
        assertEquals(160, line.get("height").asInt());
        JsonNode box = line.get("faces").get(0).get("box");
        assertEquals(120 - 80, box.get("x").floatValue(), 2);
        assertEquals(20, box.get("y").floatValue(), 2);
        assertEquals(50, box.get("width").floatValue(), 2);
        assertEquals(60, box.get("height").floatValue(), 2);
    }

    /**
     * Inserts an APP1 Exif segment (big-endian TIFF, IFD0 with one Orientation entry) after SOI.
     */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) throws IOException {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        DataOutputStream t = new DataOutputStream(tiff);
        t.write(new byte[] {'M', 'M', 0, 42});
        t.writeInt(8); // IFD0 offset
        t.writeShort(1); // one entry
        t.writeShort(0x0112); // Orientation
        t.writeShort(3); // SHORT
        t.writeInt(1);
        t.writeShort(orientation);
        t.writeShort(0);
        t.writeInt(0); // no next IFD
        byte[] payload = tiff.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(out);
        o.write(jpeg, 0, 2); // SOI
        o.writeShort(0xFFE1);
        o.writeShort(2 + 6 + payload.length);
        o.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        o.write(payload);
        o.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** The green of the test frames. */
    static final class MarkerDetectorColour {
        static boolean isGreen(int rgb) {
            return ((rgb >> 8) & 0xff) > 220 && ((rgb >> 16) & 0xff) < 40 && (rgb & 0xff) < 40;
        }
    }

    /** JPEG at quality 0.95, so the green test frames stay green. */
    static byte[] jpegBytes(BufferedImage img) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.95f);
        try (var out = ImageIO.createImageOutputStream(b)) {
            w.setOutput(out);
            w.write(null, new javax.imageio.IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return b.toByteArray();
    }
}
