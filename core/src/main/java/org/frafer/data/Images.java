package org.frafer.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes photos for every part of the library: JPEG/PNG/TIFF/PGM/GIF/BMP, EXIF orientation
 * applied, the decoded pixel count capped before any pixel is decoded (decompression bombs).
 *
 * <p>Thread-safe: every call uses its own reader and stream; no global ImageIO state is changed.
 */
public final class Images {
    /** Default cap: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    /** System property that raises/lowers the default cap used by {@link #read(Path)}. */
    public static final String MAX_PIXELS_PROPERTY = "frafer.maxPixels";

    private static final String SUPPORTED = "JPEG, PNG, TIFF, PNM/PGM/PPM, GIF, BMP";

    /**
     * File-name extensions (lower case) of the formats {@link #read} decodes: what folder listings
     * pick up.
     */
    public static final Set<String> EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "pgm", "ppm", "pnm", "pbm");

    private Images() {}

    /**
     * True when the file name ends in one of {@link #EXTENSIONS} (any case) and is not hidden
     * (".name").
     */
    public static boolean hasImageExtension(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return !n.startsWith(".") && dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
    }

    /**
     * {@link #read(Path, long)} with the cap from {@code -Dfrafer.maxPixels} or {@link
     * #DEFAULT_MAX_PIXELS}.
     */
    public static BufferedImage read(Path path) {
        return read(path, defaultMaxPixels());
    }

    /**
     * The default pixel cap: {@code -Dfrafer.maxPixels} when set, else {@link #DEFAULT_MAX_PIXELS}.
     */
    public static long defaultMaxPixels() {
        String p = System.getProperty(MAX_PIXELS_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                return Long.parseLong(p.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "-D" + MAX_PIXELS_PROPERTY + "=" + p + " is not a whole number", e);
            }
        }
        return DEFAULT_MAX_PIXELS;
    }

    /**
     * Reads an image as RGB (TYPE_INT_RGB), upright per its EXIF orientation. Grey images become
     * three equal channels (values kept, no gamma change); alpha is dropped (like PIL's {@code
     * convert("RGB")}).
     *
     * @throws ImageReadException naming the path: missing, empty, not an image, unsupported format,
     *     more than maxPixels pixels, corrupt data
     */
    public static BufferedImage read(Path path, long maxPixels) {
        checkFile(path);
        BufferedImage decoded;
        String format;
        try (ImageInputStream in = new FileImageInputStream(path.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageReadException(
                        path,
                        "not an image in a supported format ("
                                + SUPPORTED
                                + "); the file starts with "
                                + describeStart(path),
                        null);
            }
            ImageReader reader = readers.next();
            try {
                format = reader.getFormatName().toLowerCase(Locale.ROOT);
                reader.setInput(in, true, true);
                long width;
                long height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new ImageReadException(
                            path,
                            "corrupt "
                                    + format.toUpperCase(Locale.ROOT)
                                    + " header ("
                                    + e.getMessage()
                                    + ")",
                            e);
                }
                // Checked from the header, before any pixel buffer is allocated.
                if (width <= 0 || height <= 0) {
                    throw new ImageReadException(
                            path, "invalid image size " + width + "x" + height, null);
                }
                if (width * height > maxPixels) {
                    throw new ImageTooLargeException(
                            path,
                            String.format(
                                    Locale.ROOT,
                                    "image is %dx%d = %,d pixels, more than the cap of %,d pixels (decompression-bomb guard); "
                                            + "raise it with --max-pixels, -D%s=<pixels> or the maxPixels argument if the file is trusted",
                                    width,
                                    height,
                                    width * height,
                                    maxPixels,
                                    MAX_PIXELS_PROPERTY));
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(
                        new IIOReadWarningListener() {
                            @Override
                            public void warningOccurred(ImageReader source, String warning) {
                                warnings.add(warning);
                            }
                        });
                try {
                    decoded = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new ImageReadException(
                            path,
                            "corrupt or truncated "
                                    + format.toUpperCase(Locale.ROOT)
                                    + " data ("
                                    + rootMessage(e)
                                    + ")",
                            e);
                }
                for (String w : warnings) {
                    // libjpeg decodes a cut-off file as grey padding and only warns.
                    if (w != null && w.toLowerCase(Locale.ROOT).contains("premature end")) {
                        throw new ImageReadException(
                                path,
                                "truncated "
                                        + format.toUpperCase(Locale.ROOT)
                                        + " data ("
                                        + w
                                        + ")",
                                null);
                    }
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ImageReadException(path, "cannot read the file (" + e.getMessage() + ")", e);
        }
        if (decoded == null) {
            throw new ImageReadException(path, "the decoder returned no image", null);
        }
        BufferedImage rgb = toRgb(decoded);
        return applyOrientation(rgb, exifOrientation(path, format));
    }

    private static void checkFile(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("image path is null");
        }
        if (!Files.exists(path)) {
            throw new ImageReadException(path, "file not found", null);
        }
        if (Files.isDirectory(path)) {
            throw new ImageReadException(path, "is a directory, not an image file", null);
        }
        if (!Files.isRegularFile(path)) {
            // a FIFO would block the decoder forever, a device could be endless
            throw new ImageReadException(
                    path,
                    "not a regular file (a pipe, device or socket); give an image file",
                    null);
        }
        if (!Files.isReadable(path)) {
            throw new ImageReadException(path, "file is not readable (permissions)", null);
        }
        try {
            if (Files.size(path) == 0) {
                throw new ImageReadException(path, "empty file (0 bytes)", null);
            }
        } catch (IOException e) {
            throw new ImageReadException(path, "cannot read the file (" + e.getMessage() + ")", e);
        }
    }

    private static String describeStart(Path path) {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return "unreadable bytes";
        }
        StringBuilder hex = new StringBuilder();
        boolean printable = true;
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            hex.append(String.format("%02x", b)).append(i + 1 < n ? " " : "");
            if ((b < 0x20 && b != '\n' && b != '\r' && b != '\t') || b > 0x7e) {
                printable = false;
            }
        }
        String ascii = new String(head, 0, n, StandardCharsets.ISO_8859_1);
        if (ascii.startsWith("RIFF") && ascii.startsWith("WEBP", 8)) {
            return "a WebP header (WebP is not supported: convert to PNG or JPEG)";
        }
        if (ascii.startsWith("ftyp", 4)) {
            return "an ISO media header '"
                    + ascii.substring(4, Math.min(12, n)).trim()
                    + "' (HEIC/AVIF are not supported: convert to JPEG or PNG)";
        }
        if (printable) {
            String text =
                    new String(head, 0, n, StandardCharsets.US_ASCII)
                            .replace("\n", "\\n")
                            .replace("\r", "\\r");
            return "text \"" + text + "\" (looks like a text file)";
        }
        return "bytes " + hex;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb =
                new StringBuilder(
                        e.getMessage() != null
                                ? e.getMessage()
                                : e instanceof java.io.EOFException
                                        ? "unexpected end of file"
                                        : e.getClass().getSimpleName());
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            sb.append(": ").append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(' ').append(t.getMessage());
            }
        }
        return sb.toString();
    }

    /**
     * The same pixels as a TYPE_INT_RGB image whose data buffer holds exactly its pixels, row by
     * row, so callers may index {@code ((DataBufferInt)
     * img.getRaster().getDataBuffer()).getData()[y * width + x]}. Returned as is when it already is
     * one; otherwise copied: other types, and sub-images ({@code getSubimage}) that share a larger
     * parent buffer. Grey samples are replicated, not colour-managed; alpha is dropped (colour
     * kept, like PIL's {@code convert("RGB")}).
     */
    public static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB && ownsWholeBuffer(src)) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        ColorModel cm = src.getColorModel();
        Raster raster = src.getRaster();
        if (!(cm instanceof IndexColorModel)
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Java's grey colour space is linear: getRGB/drawImage would brighten mid-greys.
            int bits = cm.getComponentSize(0);
            long max = (1L << bits) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? row[x] : (int) ((row[x] * 255L + max / 2) / max);
                    dst[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
            return out;
        }
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte db
                && db.getNumBanks() == 1
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
                && sm.getScanlineStride() == 3 * w) {
            // the usual JPEG result: direct copy, much faster than getRGB per pixel
            byte[] b = db.getData();
            for (int i = 0, j = 0; i < w * h; i++, j += 3) {
                dst[i] = (b[j + 2] & 0xff) << 16 | (b[j + 1] & 0xff) << 8 | (b[j] & 0xff);
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            src.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                dst[y * w + x] = row[x] & 0xffffff;
            }
        }
        return out;
    }

    /**
     * True when the raster is not a view into a larger buffer: pixel (x, y) is buffer element y *
     * width + x.
     */
    private static boolean ownsWholeBuffer(BufferedImage img) {
        WritableRaster r = img.getRaster();
        return r.getParent() == null
                && r.getSampleModelTranslateX() == 0
                && r.getSampleModelTranslateY() == 0
                && r.getSampleModel() instanceof SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == img.getWidth()
                && r.getDataBuffer().getNumBanks() == 1
                && r.getDataBuffer().getSize() == img.getWidth() * img.getHeight();
    }

    /**
     * EXIF orientation 1..8 (1 when absent, unreadable or oversized), read with bounded memory:
     * {@link ExifOrientation}.
     */
    static int exifOrientation(Path path, String format) {
        return ExifOrientation.read(path, format);
    }

    /**
     * Makes the stored pixels upright for EXIF orientation {@code o} (same as PIL's {@code
     * ImageOps.exif_transpose}): 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90
     * clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
     */
    static BufferedImage applyOrientation(BufferedImage img, int o) {
        if (o <= 1 || o > 8) {
            return img;
        }
        BufferedImage rgb = toRgb(img);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] src = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int yo = 0; yo < oh; yo++) {
            for (int xo = 0; xo < ow; xo++) {
                int xi;
                int yi;
                switch (o) {
                    case 2 -> {
                        xi = w - 1 - xo;
                        yi = yo;
                    }
                    case 3 -> {
                        xi = w - 1 - xo;
                        yi = h - 1 - yo;
                    }
                    case 4 -> {
                        xi = xo;
                        yi = h - 1 - yo;
                    }
                    case 5 -> {
                        xi = yo;
                        yi = xo;
                    }
                    case 6 -> {
                        xi = yo;
                        yi = h - 1 - xo;
                    }
                    case 7 -> {
                        xi = w - 1 - yo;
                        yi = h - 1 - xo;
                    }
                    default -> {
                        xi = w - 1 - yo;
                        yi = xo;
                    } // 8
                }
                dst[yo * ow + xo] = src[yi * w + xi];
            }
        }
        return out;
    }
}
