package org.frafer.data;

/**
 * A dataset that cannot be read as asked (bad layout, malformed row, missing image), with file/line
 * in the message.
 */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
