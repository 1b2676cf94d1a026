package org.frafer.cli;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The files below a folder, following symbolic links the same way as the dataset readers do (a
 * linked folder or sub-folder is searched like a real one). A link back into its own ancestors is
 * skipped with a note instead of looping; pipes, devices and sockets are skipped with a note
 * (reading a FIFO would block); unreadable sub-folders are noted.
 */
final class FileTree {
    private FileTree() {}

    static List<Path> list(Path root, List<String> notes) throws IOException {
        List<Path> files = new ArrayList<>();
        int[] special = new int[1];
        Files.walkFileTree(
                root,
                EnumSet.of(FileVisitOption.FOLLOW_LINKS),
                Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile()) {
                            files.add(file);
                        } else if (attrs.isOther()) {
                            special[0]++;
                        } else if (attrs.isSymbolicLink()) {
                            notes.add(file + ": skipped, a broken link");
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e)
                            throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            notes.add(
                                    file
                                            + ": skipped, a link back into its own parent folders (a loop)");
                            return FileVisitResult.CONTINUE;
                        }
                        if (file.equals(root)) {
                            throw e;
                        }
                        notes.add(
                                file
                                        + ": skipped, cannot be read ("
                                        + (e.getMessage() == null ? e : e.getMessage())
                                        + ")");
                        return FileVisitResult.CONTINUE;
                    }
                });
        if (special[0] > 0) {
            notes.add(
                    root
                            + ": skipped "
                            + special[0]
                            + " pipe(s), device(s) or socket(s) (not regular files)");
        }
        return files;
    }
}
