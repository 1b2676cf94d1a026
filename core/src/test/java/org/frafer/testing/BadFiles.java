package org.frafer.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Generators of hostile image files for the fuzz suite: truncations, noise, bombs in pixels and in
 * metadata, odd formats.
 */
public final class BadFiles {
    private BadFiles() {}

    public static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /**
     * Name (with the extension the file gets) -> bytes of files no decoder should accept. Each must
     * give a one-line error naming the file, never take the other files down.
     */
    public static Map<String, byte[]> unreadable(byte[] png, byte[] jpeg) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int cut : new int[] {1, 8, 20, 33, png.length / 3, png.length * 2 / 3}) {
            m.put("png-cut-" + cut + ".png", Arrays.copyOf(png, cut));
        }
        for (int cut : new int[] {1, 2, 100, jpeg.length / 3}) {
            m.put("jpeg-cut-" + cut + ".jpg", Arrays.copyOf(jpeg, cut));
        }
        Random rnd = new Random(15);
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[200 + rnd.nextInt(5000)];
            rnd.nextBytes(b);
            m.put("noise-" + i + (i % 2 == 0 ? ".jpg" : ".png"), b);
        }
        byte[] pngNoise = new byte[3000];
        rnd.nextBytes(pngNoise);
        System.arraycopy(png, 0, pngNoise, 0, 8);
        m.put("png-signature-then-noise.png", pngNoise);
        byte[] jpegNoise = new byte[3000];
        rnd.nextBytes(jpegNoise);
        jpegNoise[0] = (byte) 0xff;
        jpegNoise[1] = (byte) 0xd8;
        m.put("jpeg-soi-then-noise.jpg", jpegNoise);
        m.put("pixel-bomb-60000x60000.png", TestFiles.pngHeaderOnly(60_000, 60_000));
        m.put("pixel-bomb-2e9x1.png", TestFiles.pngHeaderOnly(2_000_000_000, 1));
        m.put("huge-gif-65535x65535.gif", gifHeader(65535, 65535));
        m.put("huge-bmp.bmp", bmpHeader(100_000, 100_000));
        m.put("zero-size.png", TestFiles.pngHeaderOnly(0, 0));
        m.put("empty.jpg", new byte[0]);
        m.put("text.jpg", "hello, this is not a photo\n".getBytes(StandardCharsets.US_ASCII));
        m.put("webp.jpg", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1));
        m.put("heic.jpg", "\0\0\0\u0018ftypheic\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        m.put("jpeg-app1-length-past-end.jpg", jpegWithApp(jpeg, 0xe1, new byte[0], 0xfff0, 1));
        return m;
    }

    /**
     * Valid pictures carrying hostile metadata: they must be read (the metadata ignored), never
     * exhaust memory.
     */
    public static Map<String, byte[]> metadataBombs(byte[] png, byte[] jpeg) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        long huge = (5L << 29); // 2.5 GiB inflated: beyond any Java array
        m.put(
                "ztxt-bomb.png",
                pngWithChunk(png, "zTXt", textChunk("Comment", (byte) 0, deflateZeros(huge))));
        m.put(
                "itxt-bomb.png",
                pngWithChunk(png, "iTXt", itxtChunk("XML:com.adobe.xmp", deflateZeros(huge))));
        m.put(
                "iccp-bomb.png",
                pngWithChunk(png, "iCCP", textChunk("icc", (byte) 0, deflateZeros(huge))));
        m.put("exif-oversized.png", pngWithChunk(png, "eXIf", new byte[(1 << 20) + 10]));
        m.put(
                "exif-garbage.png",
                pngWithChunk(
                        png, "eXIf", "MM\0*garbage-offsets".getBytes(StandardCharsets.ISO_8859_1)));
        byte[] manyApps = jpeg;
        manyApps =
                jpegWithApp(
                        manyApps,
                        0xe1,
                        "Exif\0\0MM\0*\0\0\0\u0008\uffff".getBytes(StandardCharsets.ISO_8859_1),
                        -1,
                        1);
        manyApps = jpegWithApp(manyApps, 0xe2, new byte[60_000], -1, 40);
        m.put("jpeg-40-app2-segments.jpg", manyApps);
        return m;
    }

    /**
     * A zlib stream inflating to {@code bytes} zeros, about 1000 times smaller, built without
     * compressing them all.
     */
    public static byte[] deflateZeros(long bytes) {
        int block = 1 << 20;
        Deflater d = new Deflater(9, true);
        byte[] zeros = new byte[block];
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream repeat = new ByteArrayOutputStream();
        for (ByteArrayOutputStream o : new ByteArrayOutputStream[] {first, repeat}) {
            d.setInput(zeros);
            int n;
            while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
                o.write(buf, 0, n);
            }
        }
        // After the first block the window holds only zeros, so every further 1 MiB of zeros
        // compresses to the same bytes.
        d.setInput(new byte[0]);
        d.finish();
        ByteArrayOutputStream end = new ByteArrayOutputStream();
        int n;
        while ((n = d.deflate(buf)) > 0) {
            end.write(buf, 0, n);
        }
        d.end();
        long blocks = bytes / block;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x78);
        out.write(0xda);
        out.writeBytes(first.toByteArray());
        byte[] r = repeat.toByteArray();
        for (long i = 1; i < blocks; i++) {
            out.write(r, 0, r.length);
        }
        out.writeBytes(end.toByteArray());
        long total = blocks * block;
        long a = 1;
        long b = total % 65521; // Adler-32 of zeros: a stays 1, b grows by 1 per byte
        int adler = (int) ((b << 16) | a);
        out.write(adler >>> 24);
        out.write(adler >>> 16);
        out.write(adler >>> 8);
        out.write(adler);
        return out.toByteArray();
    }

    private static byte[] textChunk(String keyword, byte method, byte[] data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        o.write(0);
        o.write(method);
        o.writeBytes(data);
        return o.toByteArray();
    }

    private static byte[] itxtChunk(String keyword, byte[] data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        o.write(0);
        o.write(1); // compressed
        o.write(0); // deflate
        o.write(0); // language tag ""
        o.write(0); // translated keyword ""
        o.writeBytes(data);
        return o.toByteArray();
    }

    /** The PNG with an extra chunk right after IHDR (before IDAT, where readers meet it first). */
    public static byte[] pngWithChunk(byte[] png, String type, byte[] data) throws IOException {
        int afterIhdr = 8 + 4 + 4 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    /**
     * The JPEG with {@code copies} APPn segments after SOI; {@code declaredLength} >= 0 overrides
     * the length field.
     */
    static byte[] jpegWithApp(
            byte[] jpeg, int marker, byte[] payload, int declaredLength, int copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (int i = 0; i < copies; i++) {
            int len = declaredLength >= 0 ? declaredLength : payload.length + 2;
            out.write(0xff);
            out.write(marker);
            out.write(len >>> 8);
            out.write(len & 0xff);
            out.writeBytes(payload);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static byte[] gifHeader(int w, int h) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        o.write(w & 0xff);
        o.write(w >>> 8);
        o.write(h & 0xff);
        o.write(h >>> 8);
        o.write(0);
        o.write(0);
        o.write(0);
        o.write(0x2c); // image descriptor
        o.writeBytes(
                new byte[] {
                    0,
                    0,
                    0,
                    0,
                    (byte) (w & 0xff),
                    (byte) (w >>> 8),
                    (byte) (h & 0xff),
                    (byte) (h >>> 8),
                    0
                });
        o.writeBytes(new byte[] {2, 2, 0x44, 0x01, 0, 0x3b});
        return o.toByteArray();
    }

    private static byte[] bmpHeader(int w, int h) {
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.allocate(54 + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(70).putInt(0).putInt(54);
        b.putInt(40)
                .putInt(w)
                .putInt(h)
                .putShort((short) 1)
                .putShort((short) 24)
                .putInt(0)
                .putInt(0)
                .putInt(0)
                .putInt(0)
                .putInt(0)
                .putInt(0);
        return b.array();
    }
}
