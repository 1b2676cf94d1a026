package org.frafer.infer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.Assets;

/**
 * Finds the model used when none is given: {@code -Dfrafer.model} or {@code FRAFER_MODEL}, else the
 * repository's {@code models/default/} (next to the {@code assets/} folder, or in the working
 * directory).
 */
public final class DefaultModel {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private DefaultModel() {}

    /** Places looked at, in order. */
    public static List<Path> candidates() {
        List<Path> c = new ArrayList<>();
        String p = System.getProperty("frafer.model");
        if (p == null || p.isBlank()) {
            p = System.getenv("FRAFER_MODEL");
        }
        if (p != null && !p.isBlank()) {
            c.add(Path.of(p).toAbsolutePath().normalize());
        }
        Path repo = Assets.root().getParent();
        if (repo != null) {
            c.add(repo.resolve("models/default"));
        }
        Path cwd = Path.of("models/default").toAbsolutePath().normalize();
        if (!c.contains(cwd)) {
            c.add(cwd);
        }
        return c;
    }

    /** The default model folder, or a clear error saying none is bundled and how to pass one. */
    public static Path locate() {
        List<Path> c = candidates();
        for (Path dir : c) {
            if (Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(WEIGHTS))) {
                return dir;
            }
        }
        throw new IllegalStateException("No default emotion model is bundled yet (looked for " + CONFIG + " + " + WEIGHTS
                + " in " + c + "). Pass a model folder written by training (EmotionNetwork.save): "
                + "--model DIR on the command line, EmotionRecognizer.load(dir) in Java, or set FRAFER_MODEL=DIR.");
    }

    /** Checks that dir is a model folder; the message names what is missing. */
    public static Path check(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Model folder " + dir + " does not exist (expected a folder with " + CONFIG + " and " + WEIGHTS + ")");
        }
        for (String f : List.of(CONFIG, WEIGHTS)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException("Model folder " + dir + " has no " + f + " (expected " + CONFIG + " and " + WEIGHTS + ")");
            }
        }
        return dir;
    }
}
