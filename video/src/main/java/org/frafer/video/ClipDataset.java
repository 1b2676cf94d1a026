package org.frafer.video;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Clips in the AFEW layout: {@code DIR/<split>/<Emotion>/*.avi} (also .mp4, .mkv, .webm, .mov); the
 * folder name is the label.
 */
public final class ClipDataset {
    public static final Set<String> VIDEO_EXTENSIONS =
            Set.of("avi", "mp4", "mkv", "webm", "mov", "m4v", "mpg", "mpeg");

    public record Clip(Path file, String label) {}

    private ClipDataset() {}

    public static boolean isVideo(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && VIDEO_EXTENSIONS.contains(n.substring(dot + 1));
    }

    /**
     * The clips of one split, sorted by label then name; a clear error when the split is missing or
     * empty.
     */
    public static List<Clip> scan(Path root, String split) {
        Path dir = root.resolve(split);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    dir + ": no such split folder (expected " + root + "/<split>/<Emotion>/*.avi)");
        }
        List<Clip> out = new ArrayList<>();
        try (Stream<Path> classes = Files.list(dir)) {
            for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(c)) {
                    for (Path f :
                            files.filter(Files::isRegularFile)
                                    .filter(ClipDataset::isVideo)
                                    .sorted()
                                    .toList()) {
                        out.add(new Clip(f, c.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    dir
                            + ": no video clips in <Emotion>/ folders (extensions "
                            + VIDEO_EXTENSIONS
                            + ")");
        }
        return out;
    }
}
