package org.frafer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the git-ignored third-party assets fetched by {@code tools/fetch-assets.sh} (face models
 * from npm packages, sample photos). Set by {@code -Dfrafer.assets} (the launcher and the test JVM
 * do) or {@code FRAFER_ASSETS}; defaults to {@code ./assets}.
 */
public final class Assets {
    private Assets() {}

    /**
     * The assets folder: {@code -Dfrafer.assets}, else {@code FRAFER_ASSETS}, else {@code ./assets}
     * when it exists (a checkout), else the per-user folder {@link #userDir()} (filled by {@code
     * fra-fer assets install}).
     */
    public static Path root() {
        String p = System.getProperty("frafer.assets");
        if (p == null || p.isBlank()) {
            p = System.getenv("FRAFER_ASSETS");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        Path local = Path.of("assets").toAbsolutePath().normalize();
        Path user = userDir();
        return Files.isDirectory(local) || !Files.isDirectory(user) ? local : user;
    }

    /**
     * Per-user assets folder: {@code $XDG_CACHE_HOME/fra-fer/assets}, default {@code
     * ~/.cache/fra-fer/assets}.
     */
    public static Path userDir() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base =
                cache != null && !cache.isBlank()
                        ? Path.of(cache)
                        : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("fra-fer").resolve("assets").toAbsolutePath().normalize();
    }

    /** A file below the assets root, or a clear error saying how to obtain it. */
    public static Path require(String relative) {
        Path f = root().resolve(relative);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(
                    "Missing asset "
                            + f
                            + ". The face models are not bundled and never downloaded at run time:"
                            + " in a checkout run bin/setup; elsewhere copy an assets folder once with 'fra-fer assets install DIR'"
                            + " (into "
                            + userDir()
                            + "), or point FRAFER_ASSETS / -Dfrafer.assets at one");
        }
        return f;
    }

    /** True when the asset exists; tests that need it are skipped (and say so) otherwise. */
    public static boolean present(String relative) {
        return Files.isRegularFile(root().resolve(relative));
    }

    /**
     * Real datasets (FER+, ORL) are read from {@code -Dfrafer.data} or {@code FRAFER_DATA}; null
     * when unset.
     */
    public static Path dataRoot() {
        String p = System.getProperty("frafer.data");
        if (p == null || p.isBlank()) {
            p = System.getenv("FRAFER_DATA");
        }
        return p == null || p.isBlank() ? null : Path.of(p).toAbsolutePath().normalize();
    }
}
