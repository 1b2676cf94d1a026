package org.frafer.faces;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a photo safely for the face tools: the pixel count is read from the image header and checked
 * against a cap before any pixel is decoded (a 20000x20000 JPEG would need 1.6 GB), EXIF orientation is
 * applied, and the result is TYPE_INT_RGB. Every failure is an {@link IOException} whose message names the
 * file and the reason. (A general image-decoding utility may replace this later.)
 */
public final class PhotoReader {
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private final long maxPixels;

    public PhotoReader(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("max pixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public PhotoReader() {
        this(DEFAULT_MAX_PIXELS);
    }

    public BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a file");
        }
        if (Files.size(file) == 0) {
            throw new IOException(file + ": empty file (0 bytes)");
        }
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException(file + ": cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + ": not a readable image (unknown format)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w;
                long h;
                try {
                    w = reader.getWidth(0);
                    h = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": corrupt " + reader.getFormatName() + " header: " + e.getMessage(), e);
                }
                if (w <= 0 || h <= 0) {
                    throw new IOException(file + ": invalid image size " + w + "x" + h);
                }
                if (w * h > maxPixels) {
                    throw new IOException(file + ": image of " + w + "x" + h + " = " + (w * h) + " pixels exceeds the limit of "
                            + maxPixels + " pixels (raise it with --max-pixels)");
                }
                try {
                    img = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": cannot decode " + reader.getFormatName() + " image: " + e.getMessage(), e);
                }
            } finally {
                reader.dispose();
            }
        }
        return toIntRgb(applyExifOrientation(img, exifOrientation(file)));
    }

    private static boolean isPlain(BufferedImage img) {
        java.awt.image.WritableRaster r = img.getRaster();
        return r.getParent() == null && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0
                && r.getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == img.getWidth()
                && r.getDataBuffer().getSize() == img.getWidth() * img.getHeight();
    }

    /** EXIF orientation tag (1..8), 1 when absent or unreadable. */
    static int exifOrientation(Path file) {
        try {
            Metadata md = ImageMetadataReader.readMetadata(file.toFile());
            ExifIFD0Directory dir = md.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (dir != null && dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                return dir.getInt(ExifIFD0Directory.TAG_ORIENTATION);
            }
        } catch (Exception e) {
            // no or broken metadata: the pixels are still usable as stored
        }
        return 1;
    }

    /** Rotates/flips so the image displays upright (EXIF orientations 2..8). */
    static BufferedImage applyExifOrientation(BufferedImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        // (m00, m10, m01, m11, m02, m12): x' = m00 x + m01 y + m02, y' = m10 x + m11 y + m12
        AffineTransform t = switch (orientation) {
            case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);   // mirror horizontally
            case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);  // rotate 180
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);   // mirror vertically
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);    // transpose
            case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);   // rotate 90 clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, h, w);  // transverse
            default -> new AffineTransform(0, -1, 1, 0, 0, w);  // 8: rotate 90 counter-clockwise
        };
        boolean swap = orientation >= 5;
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(toIntRgb(img), out);
        return out;
    }

    /**
     * The same pixels as a TYPE_INT_RGB image whose data buffer holds exactly its pixels, row by row
     * (so callers may index {@code DataBufferInt.getData()[y * width + x]}). Copied only when needed:
     * other types, and sub-images ({@code getSubimage}) that share a larger parent buffer. Transparency is
     * composed over black.
     */
    public static BufferedImage toIntRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB && isPlain(img)) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        java.awt.image.Raster r = img.getRaster();
        if (r.getNumBands() == 1 && img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
            // Grey (PGM, grey JPEG): copy the stored values. Java2D would treat them as linear grey and
            // gamma-brighten them on the way to sRGB.
            int bits = img.getColorModel().getComponentSize(0);
            double max = (1 << bits) - 1;
            int w = img.getWidth();
            int[] row = new int[w];
            int[] dst = ((java.awt.image.DataBufferInt) out.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < img.getHeight(); y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = (int) Math.round(row[x] * 255.0 / max);
                    dst[y * w + x] = (v << 16) | (v << 8) | v;
                }
            }
            return out;
        }
        Graphics2D g = out.createGraphics();
        g.drawImage(img, 0, 0, null);
        g.dispose();
        return out;
    }
}
