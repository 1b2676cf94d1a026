package org.frafer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the git-ignored third-party assets fetched by {@code tools/fetch-assets.sh}
 * (face models from npm packages, sample photos). Set by {@code -Dfrafer.assets} (the launcher
 * and the test JVM do) or {@code FRAFER_ASSETS}; defaults to {@code ./assets}.
 */
public final class Assets {
    private Assets() {}

    public static Path root() {
        String p = System.getProperty("frafer.assets");
        if (p == null || p.isBlank()) {
            p = System.getenv("FRAFER_ASSETS");
        }
        return Path.of(p == null || p.isBlank() ? "assets" : p).toAbsolutePath().normalize();
    }

    /** A file below the assets root, or a clear error saying how to obtain it. */
    public static Path require(String relative) {
        Path f = root().resolve(relative);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("Missing asset " + f
                    + " - run bin/setup (it fetches the face models and sample photos), or set FRAFER_ASSETS");
        }
        return f;
    }

    /** True when the asset exists; tests that need it are skipped (and say so) otherwise. */
    public static boolean present(String relative) {
        return Files.isRegularFile(root().resolve(relative));
    }

    /** Real datasets (FER+, ORL) are read from {@code -Dfrafer.data} or {@code FRAFER_DATA}; null when unset. */
    public static Path dataRoot() {
        String p = System.getProperty("frafer.data");
        if (p == null || p.isBlank()) {
            p = System.getenv("FRAFER_DATA");
        }
        return p == null || p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
    }
}
