package org.frafer.data;

import java.nio.file.Path;

/**
 * An image with more pixels than the cap, refused from its header before decoding (decompression
 * bombs).
 */
public class ImageTooLargeException extends ImageReadException {
    public ImageTooLargeException(Path path, String reason) {
        super(path, reason, null);
    }
}
