package org.frafer.infer;

import java.nio.file.Path;

/**
 * The message for a file whose decoding ran out of Java heap (caught per file so the other files go
 * on).
 */
public final class OutOfMemory {
    private OutOfMemory() {}

    public static String message(Path file) {
        long maxMb = Runtime.getRuntime().maxMemory() >> 20;
        return file
                + ": out of memory while reading it (the Java heap is "
                + maxMb
                + " MB); the file is skipped."
                + " If it is trusted, raise the heap (-Xmx; bin/fra-fer reads FRAFER_JAVA_OPTS)";
    }
}
