package org.frafer.data;

import java.nio.file.Path;

/** An image that cannot be used, with the file and the reason in the message. */
public class ImageReadException extends RuntimeException {
    private final Path path;

    public ImageReadException(Path path, String reason, Throwable cause) {
        super(path + ": " + reason, cause);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
