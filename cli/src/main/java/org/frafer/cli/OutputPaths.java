package org.frafer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Checks made before anything is written: an output must never replace an input (predict --annotate
 * into the photo folder, compare --out naming one of its reports) and must be of the right kind (a
 * file where a file is expected, a folder where a folder is).
 */
final class OutputPaths {
    private OutputPaths() {}

    /**
     * Null when {@code out} can be written as a file; otherwise why not (naming the option and the
     * path).
     */
    static String fileProblem(String option, Path out, Collection<Path> inputs) {
        if (Files.isDirectory(out)) {
            return option + " " + out + " is a folder; give a file name";
        }
        Path real = real(out);
        for (Path in : inputs) {
            if (real != null && real.equals(real(in))) {
                return option
                        + " "
                        + out
                        + " is one of the inputs; it would be overwritten (choose another file)";
            }
        }
        return null;
    }

    /**
     * Null when {@code dir} can hold outputs; otherwise why not: a file, or a folder that holds
     * inputs.
     */
    static String folderProblem(String option, Path dir, Collection<Path> inputs) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return option + " " + dir + " is a file, not a folder";
        }
        Path real = real(dir);
        if (real == null) {
            return null;
        }
        for (Path in : inputs) {
            Path r = real(in);
            if (r != null && r.startsWith(real)) {
                return option
                        + " "
                        + dir
                        + " holds input "
                        + in
                        + "; its outputs could overwrite the inputs (choose a folder outside them)";
            }
        }
        return null;
    }

    /** The real path (links resolved) of an existing path, else null. */
    private static Path real(Path p) {
        try {
            return Files.exists(p) ? p.toRealPath() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
