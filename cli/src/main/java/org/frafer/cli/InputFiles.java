package org.frafer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.frafer.data.Images;
import org.frafer.data.NaturalOrder;

/**
 * Turns command-line inputs into image files: a file is taken as it is (whatever its extension, so
 * a wrong file gets a clear message), a folder is searched recursively for image extensions, and a
 * pattern with {@code * ? [ {} (quoted, so the shell leaves it alone) is a glob, {@code **} crossing
 * folders. Folder and glob matches are listed in natural order ("img2" before "img10"). Each file gets a unique output name (its path below the folder or glob base it came from).
 */
final class InputFiles {
    /** An input file and the name (relative path, no extension) its outputs get. */
    record Input(Path path, String outputName) {}

    private final Map<Path, Input> files = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final List<String> errors = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    static InputFiles expand(List<String> args) {
        InputFiles in = new InputFiles();
        for (String a : args) {
            in.add(a);
        }
        return in;
    }

    List<Input> files() {
        return new ArrayList<>(files.values());
    }

    List<Path> paths() {
        return files.values().stream().map(Input::path).toList();
    }

    /** Inputs that gave no file (missing path, glob matching nothing, empty folder). */
    List<String> errors() {
        return errors;
    }

    /** Remarks that are no error (e.g. files skipped in a folder). */
    List<String> notes() {
        return notes;
    }

    /**
     * Prints the notes ("note: ...") and errors ("error: ...") to {@code err}; returns the number
     * of errors.
     */
    int report(PrintWriter err) {
        notes.forEach(n -> err.println("note: " + n));
        errors.forEach(e -> err.println("error: " + e));
        err.flush();
        return errors.size();
    }

    /**
     * {@link #report}, then "error: no image to read" when no input gave a file; returns whether
     * there is anything to read (commands exit with 1 when not).
     */
    boolean reportReadable(PrintWriter err) {
        report(err);
        if (files.isEmpty()) {
            err.println("error: no image to read");
            err.flush();
            return false;
        }
        return true;
    }

    private void add(String arg) {
        Path p = Path.of(arg);
        if (Files.isDirectory(p)) {
            addFolder(p);
        } else if (Files.exists(p)) {
            addFile(p, p.getFileName().toString());
        } else if (arg.matches(".*[*?\\[{].*")) {
            addGlob(arg);
        } else {
            errors.add(arg + ": no such file or folder");
        }
    }

    private void addFolder(Path dir) {
        List<Path> found;
        try {
            found =
                    FileTree.list(dir, notes).stream()
                            .filter(f -> !isHidden(dir, f))
                            .sorted(NaturalOrder.PATHS)
                            .toList();
        } catch (IOException | UncheckedIOException e) {
            errors.add(dir + ": cannot list the folder: " + e.getMessage());
            return;
        }
        int skipped = 0;
        int before = files.size();
        for (Path f : found) {
            if (Images.hasImageExtension(f)) {
                addFile(f, dir.relativize(f).toString());
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            notes.add(
                    dir
                            + ": skipped "
                            + skipped
                            + " file(s) without an image extension "
                            + new java.util.TreeSet<>(Images.EXTENSIONS));
        }
        if (files.size() == before && found.size() - skipped == 0) {
            errors.add(dir + ": no image files in this folder");
        }
    }

    private static boolean isHidden(Path root, Path f) {
        for (Path part : root.relativize(f)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private void addGlob(String pattern) {
        // The base is the leading part without glob characters; the rest is matched below it.
        String normalized = pattern.replace('\\', '/');
        String[] parts = normalized.split("/", -1);
        StringBuilder base = new StringBuilder();
        int i = 0;
        for (; i < parts.length - 1; i++) {
            if (parts[i].matches(".*[*?\\[{].*")) {
                break;
            }
            base.append(parts[i]).append('/');
        }
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
        Path baseDir = base.length() == 0 ? Path.of(".") : Path.of(base.toString());
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(baseDir)) {
            try {
                FileTree.list(baseDir, notes).stream()
                        .filter(f -> m.matches(baseDir.relativize(f)))
                        .sorted(NaturalOrder.PATHS)
                        .forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                errors.add(pattern + ": cannot list " + baseDir + ": " + e.getMessage());
                return;
            }
        }
        if (found.isEmpty()) {
            errors.add(pattern + ": no file matches");
        }
        for (Path f : found) {
            Path shown = base.length() == 0 ? baseDir.relativize(f) : f;
            addFile(shown, baseDir.relativize(f).toString());
        }
    }

    private void addFile(Path p, String relative) {
        Path key = p.toAbsolutePath().normalize();
        if (files.containsKey(key)) {
            return;
        }
        String stem = relative.replace('\\', '/');
        int dot = stem.lastIndexOf('.');
        if (dot > stem.lastIndexOf('/') + 1) {
            stem = stem.substring(0, dot);
        }
        stem = stem.replace('/', '_');
        String name = stem;
        for (int n = 2; !names.add(name); n++) {
            name = stem + "-" + n;
        }
        files.put(key, new Input(p, name));
    }
}
