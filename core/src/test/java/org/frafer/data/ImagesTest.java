package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.frafer.testing.TestFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class ImagesTest {
    @TempDir Path dir;

    /** 8x6 image with a distinct colour per pixel (exactly representable in lossless formats). */
    static BufferedImage pattern(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 30) << 16) | ((y * 40) << 8) | ((x + y) * 10));
            }
        }
        return img;
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "tiff"})
    void losslessFormatsRoundTripExactly(String format) throws IOException {
        BufferedImage src = pattern(8, 6);
        Path f = dir.resolve("img." + format);
        assertTrue(ImageIO.write(src, format, f.toFile()), "no writer for " + format);
        BufferedImage got = Images.read(f, Images.DEFAULT_MAX_PIXELS);
        assertEquals(BufferedImage.TYPE_INT_RGB, got.getType());
        assertEquals(8, got.getWidth());
        assertEquals(6, got.getHeight());
        assertEquals(Arrays.toString(pixels(src)), Arrays.toString(pixels(got)));
    }

    @Test
    void jpegAndGifDecodeToRgb() throws IOException {
        BufferedImage src = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                src.setRGB(x, y, 0x3080c0);
            }
        }
        Path jpg = dir.resolve("a.jpg");
        ImageIO.write(src, "jpeg", jpg.toFile());
        int p = Images.read(jpg, 1000).getRGB(5, 5);
        assertEquals(0x30, p >> 16 & 0xff, 4);
        assertEquals(0x80, p >> 8 & 0xff, 4);
        assertEquals(0xc0, p & 0xff, 4);
        Path gif = dir.resolve("a.gif");
        ImageIO.write(src, "gif", gif.toFile());
        BufferedImage g = Images.read(gif, 1000);
        assertEquals(BufferedImage.TYPE_INT_RGB, g.getType());
        assertEquals(0x3080c0, g.getRGB(7, 7) & 0xffffff);
    }

    @Test
    void jpegPixelsEqualImageIoGetRgb() throws IOException {
        Path f = Files.write(dir.resolve("noise.jpg"), jpeg(noise(37, 21)));
        BufferedImage plain = ImageIO.read(f.toFile());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, plain.getType(), "the fast path's case");
        assertEquals(
                Arrays.toString(pixels(plain)), Arrays.toString(pixels(Images.read(f, 10_000))));
    }

    @Test
    void greyBecomesThreeEqualChannelsWithoutGammaShift() throws IOException {
        BufferedImage grey = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 50, 128, 255};
        grey.getRaster().setSamples(0, 0, 4, 1, 0, values);
        for (String fmt : new String[] {"png", "pgm"}) {
            Path f = dir.resolve("g." + fmt);
            assertTrue(
                    ImageIO.write(grey, fmt.equals("pgm") ? "pnm" : fmt, f.toFile()),
                    "writer " + fmt);
            BufferedImage got = Images.read(f, 1000);
            for (int x = 0; x < 4; x++) {
                int v = values[x];
                assertEquals(
                        (v << 16) | (v << 8) | v, got.getRGB(x, 0) & 0xffffff, fmt + " x=" + x);
            }
        }
        // 16-bit grey PNG: 0x8080 -> 128
        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {0x8080, 0xffff});
        Path f16 = dir.resolve("g16.png");
        ImageIO.write(g16, "png", f16.toFile());
        BufferedImage got = Images.read(f16, 1000);
        assertEquals(0x808080, got.getRGB(0, 0) & 0xffffff);
        assertEquals(0xffffff, got.getRGB(1, 0) & 0xffffff);
    }

    @Test
    void alphaIsDropped() throws IOException {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00112233); // fully transparent: colour kept (PIL convert("RGB"))
        argb.setRGB(1, 0, 0xff445566);
        Path f = dir.resolve("a.png");
        ImageIO.write(argb, "png", f.toFile());
        BufferedImage got = Images.read(f, 1000);
        assertEquals(0x112233, got.getRGB(0, 0) & 0xffffff);
        assertEquals(0x445566, got.getRGB(1, 0) & 0xffffff);
    }

    // ---- bad input ----

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.jpg");
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(f, 1000));
        assertTrue(
                e.getMessage().contains(f.toString()) && e.getMessage().contains("not found"),
                e.getMessage());
        assertEquals(f, e.path());
    }

    @Test
    void emptyFile() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.png"));
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(f, 1000));
        assertTrue(
                e.getMessage().contains("0 bytes") && e.getMessage().contains("empty.png"),
                e.getMessage());
    }

    @Test
    void directory() {
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(dir, 1000));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void textFileIsNotAnImage() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.jpg"), "hello, this is text\n");
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(f, 1000));
        assertTrue(
                e.getMessage().contains("not an image") && e.getMessage().contains("hello"),
                e.getMessage());
        assertTrue(e.getMessage().contains("notes.jpg"), e.getMessage());
    }

    @Test
    void unsupportedFormatsAreNamed() throws IOException {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        Path f = Files.write(dir.resolve("photo.webp"), webp);
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.read(f, 1000));
        assertTrue(e.getMessage().contains("WebP is not supported"), e.getMessage());
        Path h =
                Files.write(
                        dir.resolve("photo.heic"),
                        "\0\0\0\u0018ftypheic\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        ImageReadException e2 = assertThrows(ImageReadException.class, () -> Images.read(h, 1000));
        assertTrue(
                e2.getMessage().contains("HEIC/AVIF are not supported")
                        && e2.getMessage().contains("heic"),
                e2.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif", "bmp", "tiff"})
    void truncatedFile(String format) throws IOException {
        Path full = dir.resolve("full." + format);
        ImageIO.write(noise(64, 64), format, full.toFile());
        byte[] bytes = Files.readAllBytes(full);
        Path f = Files.write(dir.resolve("cut." + format), Arrays.copyOf(bytes, bytes.length / 2));
        ImageReadException e =
                assertThrows(ImageReadException.class, () -> Images.read(f, 100_000));
        assertTrue(
                e.getMessage().contains("cut." + format)
                        && e.getMessage().contains("corrupt or truncated")
                        && !e.getMessage().contains("(null)"),
                e.getMessage());
    }

    @Test
    void truncatedJpeg() throws IOException {
        Path full = dir.resolve("full.jpg");
        ImageIO.write(noise(64, 64), "jpeg", full.toFile());
        byte[] bytes = Files.readAllBytes(full);
        Path f = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(bytes, bytes.length / 2));
        ImageReadException e =
                assertThrows(ImageReadException.class, () -> Images.read(f, 100_000));
        assertTrue(
                e.getMessage().contains("cut.jpg") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void garbageAfterValidSignature() throws IOException {
        byte[] sig = {
            (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
        };
        Path f = Files.write(dir.resolve("junk.png"), sig);
        ImageReadException e =
                assertThrows(ImageReadException.class, () -> Images.read(f, 100_000));
        assertTrue(
                e.getMessage().contains("junk.png") && e.getMessage().contains("corrupt"),
                e.getMessage());
    }

    @Test
    void decompressionBombRejectedFromHeaderWithoutDecoding() throws IOException {
        Path f = Files.write(dir.resolve("bomb.png"), TestFiles.pngHeaderOnly(20_000, 20_000));
        long t0 = System.nanoTime();
        // its own type, so the HTTP service can answer 413 for it and 422 for other unreadable
        // images
        ImageTooLargeException e =
                assertThrows(
                        ImageTooLargeException.class,
                        () -> Images.read(f, Images.DEFAULT_MAX_PIXELS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String m = e.getMessage();
        assertTrue(
                m.contains("20000x20000")
                        && m.contains("400,000,000")
                        && m.contains("100,000,000")
                        && m.contains("frafer.maxPixels"),
                m);
        assertTrue(ms < 1000, "took " + ms + " ms");
        // the file holds almost no pixel data, so the cap error proves the check ran on the header
        // alone;
        // a small header-only file under the cap gets to decoding and fails as truncated instead
        Path small = Files.write(dir.resolve("small.png"), TestFiles.pngHeaderOnly(300, 300));
        ImageReadException e2 =
                assertThrows(ImageReadException.class, () -> Images.read(small, 90_000));
        assertTrue(e2.getMessage().contains("corrupt or truncated"), e2.getMessage());
    }

    @Test
    void capIsInclusive() throws IOException {
        Path f = dir.resolve("p.png");
        ImageIO.write(pattern(8, 6), "png", f.toFile());
        assertEquals(8, Images.read(f, 48).getWidth());
        assertThrows(ImageReadException.class, () -> Images.read(f, 47));
    }

    // ---- in-memory conversion (Images.toRgb) and orientation of decoded pixels ----

    static int[] buffer(BufferedImage rgb) {
        return ((java.awt.image.DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    }

    @Test
    void toRgbBufferHoldsExactlyThePixelsOfASubImage() {
        BufferedImage photo = pattern(8, 6);
        assertSame(photo, Images.toRgb(photo), "a plain TYPE_INT_RGB image is not copied");
        BufferedImage sub = photo.getSubimage(3, 2, 4, 3); // shares photo's buffer, offset (3, 2)
        BufferedImage rgb = Images.toRgb(sub);
        assertNotSame(sub, rgb);
        assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
        int[] px = buffer(rgb);
        assertEquals(4 * 3, px.length);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(
                        photo.getRGB(3 + x, 2 + y) & 0xffffff, px[y * 4 + x], "x=" + x + " y=" + y);
            }
        }
        // a sub-image starting at the origin has translate 0 but a stride of its parent: copied too
        assertEquals(
                photo.getRGB(0, 1) & 0xffffff,
                buffer(Images.toRgb(photo.getSubimage(0, 0, 5, 2)))[5]);
    }

    @Test
    void toRgbKeepsGreyValuesAndDropsAlpha() {
        BufferedImage grey = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 4, 2, 0, new int[] {0, 50, 128, 255, 1, 2, 3, 4});
        int[] px = buffer(Images.toRgb(grey));
        assertEquals(0x323232, px[1], "50 stays 50 (no linear-grey gamma brightening)");
        assertEquals(0x808080, px[2]);
        assertEquals(0x040404, px[7]);
        int[] sub = buffer(Images.toRgb(grey.getSubimage(1, 1, 2, 1)));
        assertEquals(2, sub.length);
        assertEquals(0x020202, sub[0]);
        assertEquals(0x030303, sub[1]);
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x40a0b0c0);
        assertEquals(0xa0b0c0, buffer(Images.toRgb(argb))[0]);
    }

    @Test
    void exifOrientationRotatesUpright() {
        // 3 wide x 2 high, pixel value = 10*y + x
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, 10 * y + x);
            }
        }
        BufferedImage r6 =
                Images.applyOrientation(img, 6); // stored rotated: display 90 degrees clockwise
        assertEquals(2, r6.getWidth());
        assertEquals(3, r6.getHeight());
        assertEquals(10, r6.getRGB(0, 0) & 0xffffff); // bottom-left goes to top-left
        assertEquals(0, r6.getRGB(1, 0) & 0xffffff);
        assertEquals(2, r6.getRGB(1, 2) & 0xffffff);
        BufferedImage r3 = Images.applyOrientation(img, 3);
        assertEquals(12, r3.getRGB(0, 0) & 0xffffff);
        BufferedImage r8 = Images.applyOrientation(img, 8);
        assertEquals(2, r8.getRGB(0, 0) & 0xffffff);
        assertEquals(10, r8.getRGB(1, 2) & 0xffffff);
    }

    @Test
    void orientationOfASubImageUsesItsOwnPixels() {
        BufferedImage photo = pattern(8, 6);
        BufferedImage r6 = Images.applyOrientation(photo.getSubimage(2, 1, 3, 2), 6);
        assertEquals(2, r6.getWidth());
        assertEquals(
                photo.getRGB(2, 2) & 0xffffff,
                r6.getRGB(0, 0) & 0xffffff); // sub bottom-left -> top-left
        assertEquals(
                photo.getRGB(4, 1) & 0xffffff,
                r6.getRGB(1, 2) & 0xffffff); // sub top-right -> bottom-right
    }

    // ---- EXIF orientation ----

    /**
     * A 64x32 JPEG of four flat quadrants (stored TL red, TR green, BL blue, BR white) with the
     * given EXIF orientation. By the EXIF spec each value says where the stored row 0 / column 0
     * go; the expected upright corners below follow that table, not the implementation.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientation(int orientation) throws IOException {
        int red = 0xff0000, green = 0x00ff00, blue = 0x0000ff, white = 0xffffff;
        BufferedImage src = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, y < 16 ? (x < 32 ? red : green) : (x < 32 ? blue : white));
            }
        }
        Path f =
                Files.write(
                        dir.resolve("o" + orientation + ".jpg"),
                        withExifOrientation(jpeg(src), orientation));
        BufferedImage got = Images.read(f, 10_000);
        boolean swapped = orientation >= 5;
        assertEquals(swapped ? 32 : 64, got.getWidth());
        assertEquals(swapped ? 64 : 32, got.getHeight());
        // displayed {top-left, top-right, bottom-left, bottom-right} per EXIF 2.3 table (row0/col0
        // sides)
        int[][] expected = {
            null,
            {red, green, blue, white}, // 1 row0 top, col0 left
            {green, red, white, blue}, // 2 row0 top, col0 right
            {white, blue, green, red}, // 3 row0 bottom, col0 right
            {blue, white, red, green}, // 4 row0 bottom, col0 left
            {red, blue, green, white}, // 5 row0 left, col0 top
            {blue, red, white, green}, // 6 row0 right, col0 top
            {white, green, blue, red}, // 7 row0 right, col0 bottom
            {green, white, red, blue}, // 8 row0 left, col0 bottom
        };
        int w = got.getWidth(), h = got.getHeight();
        int[] corners = {
            got.getRGB(3, 3), got.getRGB(w - 4, 3), got.getRGB(3, h - 4), got.getRGB(w - 4, h - 4)
        };
        for (int i = 0; i < 4; i++) {
            assertClose(
                    expected[orientation][i],
                    corners[i],
                    "orientation " + orientation + " corner " + i);
        }
    }

    @Test
    void concurrentReadsGiveIdenticalResults() throws Exception {
        Path f = dir.resolve("n.png");
        ImageIO.write(noise(40, 30), "png", f.toFile());
        Path j = Files.write(dir.resolve("n.jpg"), withExifOrientation(jpeg(noise(40, 30)), 6));
        int[] refPng = pixels(Images.read(f, 10_000));
        int[] refJpg = pixels(Images.read(j, 10_000));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(
                        pool.submit(
                                () ->
                                        Arrays.equals(refPng, pixels(Images.read(f, 10_000)))
                                                && Arrays.equals(
                                                        refJpg, pixels(Images.read(j, 10_000)))));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ----

    static void assertClose(int expected, int actual, String what) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = expected >> shift & 0xff, a = actual >> shift & 0xff;
            assertTrue(
                    Math.abs(e - a) <= 24,
                    what + String.format(": expected %06x got %06x", expected, actual & 0xffffff));
        }
    }

    static BufferedImage noise(int w, int h) {
        java.util.Random r = new java.util.Random(1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * Inserts an APP1 Exif segment (big-endian TIFF, IFD0 with one Orientation SHORT) right after
     * SOI/APP0.
     */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) throws IOException {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        DataOutputStream t = new DataOutputStream(tiff);
        t.writeBytes("MM");
        t.writeShort(42);
        t.writeInt(8); // IFD0 offset
        t.writeShort(1); // one entry
        t.writeShort(0x0112); // Orientation
        t.writeShort(3); // SHORT
        t.writeInt(1); // count
        t.writeShort(orientation);
        t.writeShort(0); // padding of the 4-byte value field
        t.writeInt(0); // no next IFD
        byte[] payload = tiff.toByteArray();
        ByteArrayOutputStream seg = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(seg);
        s.writeShort(0xFFE1);
        s.writeShort(2 + 6 + payload.length);
        s.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        s.write(payload);
        // after SOI and the APP0 (JFIF) segment
        int pos = 2;
        if ((jpeg[2] & 0xff) == 0xFF && (jpeg[3] & 0xff) == 0xE0) {
            pos = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, pos);
        out.write(seg.toByteArray());
        out.write(jpeg, pos, jpeg.length - pos);
        return out.toByteArray();
    }
}
