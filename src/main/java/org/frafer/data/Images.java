package org.frafer.data;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Decodes photos for every part of the library: JPEG/PNG/TIFF/PGM/GIF/BMP, EXIF orientation applied,
 * the decoded pixel count capped before any pixel is decoded (decompression bombs).
 */
public final class Images {
    /** Default cap: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private Images() {}

    /**
     * Reads an image as RGB (TYPE_INT_RGB), upright per its EXIF orientation.
     *
     * @throws ImageReadException naming the path: missing, empty, not an image, unsupported format,
     *     more than maxPixels pixels, corrupt data
     */
    public static BufferedImage read(Path path, long maxPixels) {
        throw new UnsupportedOperationException("Images.read: pending (data helper)");
    }
}
