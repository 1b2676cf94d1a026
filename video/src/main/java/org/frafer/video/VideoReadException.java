package org.frafer.video;

/** A video that cannot be opened or read; the message names the file and says why in one line. */
public final class VideoReadException extends RuntimeException {
    public VideoReadException(String message) {
        super(message);
    }

    public VideoReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
