package org.frafer.infer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.frafer.Assets;

/**
 * Finds the model used when none is given: {@code -Dfrafer.model} or {@code FRAFER_MODEL}, else the
 * repository's {@code models/default/} (next to the {@code assets/} folder, or in the working
 * directory), else a model packed into the jar as the resources {@value #RESOURCE}{@code
 * config.json} and {@code model.safetensors} (copied once to a temporary folder).
 */
public final class DefaultModel {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    /**
     * Optional: the model's neutral reference for personalisation
     * (org.frafer.persons.NeutralReference).
     */
    public static final String NEUTRAL_REFERENCE = "neutral-reference.json";

    /** Class-path folder of a model bundled in the jar. */
    public static final String RESOURCE = "org/frafer/models/default/";

    private static Path extracted;

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
            if (Files.isRegularFile(dir.resolve(CONFIG))
                    && Files.isRegularFile(dir.resolve(WEIGHTS))) {
                return dir;
            }
        }
        Path bundled = fromClassPath();
        if (bundled != null) {
            return bundled;
        }
        throw new IllegalStateException(
                "No default emotion model is bundled yet (looked for "
                        + CONFIG
                        + " + "
                        + WEIGHTS
                        + " in "
                        + c
                        + " and the class path "
                        + RESOURCE
                        + "). Pass a model folder written by training "
                        + "(EmotionNetwork.save): --model DIR on the command line, EmotionRecognizer.load(dir) in Java, or set FRAFER_MODEL=DIR.");
    }

    /**
     * The jar's bundled model copied to a temporary folder (once per JVM), or null when there is
     * none.
     */
    static synchronized Path fromClassPath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = DefaultModel.class.getClassLoader();
        }
        if (loader.getResource(RESOURCE + CONFIG) == null
                || loader.getResource(RESOURCE + WEIGHTS) == null) {
            return null;
        }
        if (extracted != null && Files.isRegularFile(extracted.resolve(WEIGHTS))) {
            return extracted;
        }
        try {
            Path dir = Files.createTempDirectory("frafer-default-model");
            for (String f : List.of(CONFIG, WEIGHTS, NEUTRAL_REFERENCE)) {
                if (loader.getResource(RESOURCE + f) == null) {
                    continue; // optional files (the neutral reference of personalisation)
                }
                try (InputStream in = loader.getResourceAsStream(RESOURCE + f)) {
                    Files.copy(in, dir.resolve(f));
                }
                dir.resolve(f).toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            extracted = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot unpack the bundled default model " + RESOURCE + ": " + e.getMessage(),
                    e);
        }
    }

    /** Checks that dir is a model folder; the message names what is missing. */
    public static Path check(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "Model folder "
                            + dir
                            + " does not exist (expected a folder with "
                            + CONFIG
                            + " and "
                            + WEIGHTS
                            + ")");
        }
        for (String f : List.of(CONFIG, WEIGHTS)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException(
                        "Model folder "
                                + dir
                                + " has no "
                                + f
                                + " (expected "
                                + CONFIG
                                + " and "
                                + WEIGHTS
                                + ")");
            }
        }
        return dir;
    }
}
