package org.frafer.tfjs;

/**
 * A TF.js graph model that cannot be read or run: the message names the file, node or tensor at
 * fault.
 */
public class TfjsModelException extends RuntimeException {
    public TfjsModelException(String message) {
        super(message);
    }

    public TfjsModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
