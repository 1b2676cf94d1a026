package org.frafer.io;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Every file the library writes goes through here: a temporary file beside the target, then a
 * rename. A crash or a bad input never leaves half a file and never loses the file that was there
 * before.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A new hidden temporary file in the target's folder (created if missing), readable like an
     * ordinary output.
     */
    public static Path tempFor(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = TempFiles.track(Files.createTempFile(dir, "." + target.getFileName(), ".tmp"));
        // temp files are created owner-only; outputs are ordinary files
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    /**
     * Renames a finished temporary file over the target, atomically where the file system allows
     * it.
     */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        TempFiles.untrack(tmp);
    }

    /** Deletes an unfinished temporary file (or folder): the target keeps what it had. */
    public static void discard(Path tmp) throws IOException {
        deleteTree(tmp);
        TempFiles.untrack(tmp);
    }

    public static void write(Path file, Writer writer) throws IOException {
        Path tmp = tempFor(file);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                writer.write(out);
            }
            commit(tmp, file);
        } finally {
            discard(tmp);
        }
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes an image as PNG or JPEG, chosen by the file's extension. */
    public static void writeImage(BufferedImage image, Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpeg" : "png";
        write(
                file,
                out -> {
                    // an in-memory stream cache: ImageIO's default file cache in java.io.tmpdir
                    // fails on a full
                    // disk and leaves a StreamCloser that throws at exit
                    javax.imageio.ImageWriter w =
                            ImageIO.getImageWritersByFormatName(format).next();
                    try (javax.imageio.stream.ImageOutputStream ios =
                            new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
                        w.setOutput(ios);
                        w.write(image);
                    } finally {
                        w.dispose();
                    }
                });
    }

    /** Deletes a folder tree (no-op when missing). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The same operations for code that reports I/O failures unchecked (training runs, evaluation
     * reports).
     */
    public static final class Unchecked {
        private Unchecked() {}

        public static void write(Path target, Writer writer) {
            try {
                AtomicFiles.write(target, writer);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(
                        "cannot write " + target + ": " + e.getMessage(), e);
            }
        }

        public static void writeString(Path target, String text) {
            write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Deletes a folder tree (no-op when missing). */
        public static void deleteTree(Path dir) {
            try {
                AtomicFiles.deleteTree(dir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(
                        "cannot delete " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
