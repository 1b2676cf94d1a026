package org.frafer.spark;

/** A user error: the message is one line that names the input, path or option at fault. */
public final class JobException extends RuntimeException {
    public JobException(String message) {
        super(message);
    }

    public JobException(String message, Throwable cause) {
        super(message, cause);
    }
}
