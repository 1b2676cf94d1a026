package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.testing.BadFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EXIF orientation read with bounded memory: PNG eXIf still honoured, text-chunk bombs never
 * inflated.
 */
class ExifOrientationTest {
    @TempDir Path dir;

    /** The TIFF block of an EXIF with IFD0 Orientation = o (what a PNG eXIf chunk holds). */
    static byte[] tiff(int o) throws Exception {
        byte[] app1 = ImagesTest.withExifOrientation(ImagesTest.jpeg(ImagesTest.noise(8, 8)), o);
        // the TIFF block starts after "Exif\0\0" in the APP1 segment
        String s = new String(app1, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf("Exif\0\0") + 6;
        return java.util.Arrays.copyOfRange(app1, at, at + 26);
    }

    @Test
    void pngExifOrientationIsApplied() throws Exception {
        BufferedImage src = ImagesTest.noise(40, 30);
        byte[] png = BadFiles.pngWithChunk(BadFiles.encode(src, "png"), "eXIf", tiff(6));
        Path f = Files.write(dir.resolve("o6.png"), png);
        assertEquals(6, ExifOrientation.read(f, "png"));
        BufferedImage read = Images.read(f);
        assertEquals(30, read.getWidth(), "rotated 90 degrees: width and height swap");
        assertEquals(40, read.getHeight());
    }

    @Test
    void ztxtBombBeforeTheExifIsSkippedUnread() throws Exception {
        BufferedImage src = ImagesTest.noise(40, 30);
        byte[] png = BadFiles.pngWithChunk(BadFiles.encode(src, "png"), "eXIf", tiff(3));
        // 2.5 GiB of zeros once inflated: metadata-extractor's generic reader ran out of memory on
        // it
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        z.writeBytes("Comment\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        z.writeBytes(BadFiles.deflateZeros(5L << 29));
        png = BadFiles.pngWithChunk(png, "zTXt", z.toByteArray());
        Path f = Files.write(dir.resolve("bomb.png"), png);
        assertEquals(3, ExifOrientation.read(f, "png"));
        assertEquals(40, Images.read(f).getWidth());
    }

    @Test
    void oversizedExifIsIgnored() throws Exception {
        byte[] png =
                BadFiles.pngWithChunk(
                        BadFiles.encode(ImagesTest.noise(10, 10), "png"),
                        "eXIf",
                        new byte[ExifOrientation.MAX_EXIF_BYTES + 1]);
        assertEquals(1, ExifOrientation.read(Files.write(dir.resolve("big.png"), png), "png"));
    }
}
