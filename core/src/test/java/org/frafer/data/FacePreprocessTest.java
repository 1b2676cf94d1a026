package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crop + resize against PIL's Image.resize(BILINEAR) (fixtures from
 * tools/data/make_resize_fixtures.py).
 */
@Tag("parity")
class FacePreprocessTest {
    static Path fixtures() {
        String p = System.getProperty("frafer.fixtures", "src/test/resources/fixtures");
        Path dir = Path.of(p).resolve("data");
        Assumptions.assumeTrue(Files.isDirectory(dir), "fixtures missing: " + dir);
        return dir;
    }

    /**
     * PIL works in 8 bits and rounds after each of its two passes; we keep floats. Hence the
     * tolerance: at most 1 grey level (1/255) per value, and well under half a level on average.
     */
    @Test
    void matchesPilBilinearResize() throws IOException {
        Path dir = fixtures();
        JsonNode cases = new ObjectMapper().readTree(dir.resolve("resize_cases.json").toFile());
        for (String mode : new String[] {"rgb", "grey"}) {
            BufferedImage input =
                    Images.read(
                            dir.resolve(
                                    mode.equals("rgb")
                                            ? "resize_input.png"
                                            : "resize_input_grey.png"),
                            10_000);
            for (JsonNode c : cases) {
                int size = c.get("size").asInt();
                int[] box = null;
                if (!c.get("box").isNull()) {
                    box = new int[4];
                    for (int i = 0; i < 4; i++) {
                        box[i] = c.get("box").get(i).asInt();
                    }
                }
                BufferedImage ref =
                        Images.read(
                                dir.resolve(
                                        "resize_" + mode + "_" + c.get("name").asText() + ".png"),
                                10_000);
                float[] got = FacePreprocess.toChw(input, box, size, false);
                double max = 0;
                double sum = 0;
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int expected = ref.getRGB(x, y) >> (16 - 8 * ch) & 0xff;
                            double d =
                                    Math.abs(
                                            got[ch * size * size + y * size + x] * 255.0
                                                    - expected);
                            max = Math.max(max, d);
                            sum += d;
                        }
                    }
                }
                double mean = sum / (3.0 * size * size);
                String what =
                        mode
                                + " "
                                + c.get("name").asText()
                                + ": max "
                                + max
                                + " mean "
                                + mean
                                + " grey levels";
                assertTrue(max <= 1.0 + 1e-3, what);
                assertTrue(mean <= 0.35, what);
            }
        }
    }

    @Test
    void subImagesAreCroppedFromTheirOwnRegion() {
        // A sub-image shares its parent's buffer: cropping it must read the sub-image's pixels, not
        // the parent's origin.
        BufferedImage parent = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                parent.setRGB(x, y, x >= 20 && y >= 10 ? 0x0000ff : 0xff0000);
            }
        }
        BufferedImage sub = parent.getSubimage(20, 10, 20, 20);
        FacePreprocess.Pixels whole = FacePreprocess.crop(sub, null);
        FacePreprocess.Pixels part = FacePreprocess.crop(sub, new int[] {5, 5, 10, 10});
        for (FacePreprocess.Pixels px : new FacePreprocess.Pixels[] {whole, part}) {
            byte[] d = px.data();
            for (int k = 0; k < d.length; k += 3) {
                assertEquals(0, d[k] & 0xff, "red");
                assertEquals(0, d[k + 1] & 0xff, "green");
                assertEquals(255, d[k + 2] & 0xff, "blue");
            }
        }
        assertEquals(20, whole.width());
        assertEquals(10, part.height());
    }

    @Test
    void flipMirrorsEachRowExactly() throws IOException {
        BufferedImage input = Images.read(fixtures().resolve("resize_input.png"), 10_000);
        int s = 20;
        float[] a = FacePreprocess.toChw(input, new int[] {3, 4, 25, 17}, s, false);
        float[] b = FacePreprocess.toChw(input, new int[] {3, 4, 25, 17}, s, true);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    assertEquals(a[c * s * s + y * s + x], b[c * s * s + y * s + (s - 1 - x)]);
                }
            }
        }
    }

    @Test
    void cropTakesExactlyTheBoxAndIgnoresAspectRatio() {
        // blue image with a 10x4 red box at (6, 5) and one green column right of it
        BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                boolean inBox = x >= 6 && x < 16 && y >= 5 && y < 9;
                img.setRGB(x, y, inBox ? 0xff0000 : (x == 16 ? 0x00ff00 : 0x0000ff));
            }
        }
        int s = 12;
        float[] out = FacePreprocess.toChw(img, new int[] {6, 5, 10, 4}, s, false);
        assertEquals(3 * s * s, out.length);
        for (int i = 0; i < s * s; i++) {
            assertEquals(1f, out[i], 1e-6f, "red plane");
            assertEquals(0f, out[s * s + i], 1e-6f, "green plane: no bleed from outside the box");
            assertEquals(0f, out[2 * s * s + i], 1e-6f, "blue plane");
        }
        // identity size without box: exact copy
        float[] same = FacePreprocess.toChw(img, null, 30, false);
        assertEquals(30 * 30 * 3, same.length);
        FacePreprocess.Pixels whole = FacePreprocess.crop(img, null);
        assertEquals(30, whole.width());
        assertEquals(20, whole.height());
    }

    @Test
    void boxIsClampedAndAnOutsideBoxIsAnError() {
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        FacePreprocess.Pixels p = FacePreprocess.crop(img, new int[] {-5, 6, 8, 100});
        assertEquals(3, p.width());
        assertEquals(4, p.height());
        assertEquals(1, p.channels(), "black is grey: one byte per pixel");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> FacePreprocess.crop(img, new int[] {20, 0, 5, 5}));
        assertTrue(e.getMessage().contains("outside the 10x10 image"), e.getMessage());
    }
}
