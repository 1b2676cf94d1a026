package org.frafer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The trainer's unchecked view of {@link org.frafer.io.AtomicFiles} (temp file beside the target, then rename). */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path target, org.frafer.io.AtomicFiles.Writer writer) {
        try {
            org.frafer.io.AtomicFiles.write(target, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public static void writeString(Path target, String text) {
        try {
            org.frafer.io.AtomicFiles.writeString(target, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Renames atomically where the file system allows it (replacing the target). */
    public static void move(Path from, Path to) throws IOException {
        org.frafer.io.AtomicFiles.commit(from, to);
    }

    /** Deletes a folder tree (no-op when missing). */
    public static void deleteTree(Path dir) {
        try {
            org.frafer.io.AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
