package org.frafer.io;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary files and folders that are being written. A shutdown hook (SIGTERM, Ctrl-C,
 * System.exit) deletes those still listed, so an interrupted run leaves no {@code .NAME123.tmp}
 * behind; the targets they would have replaced are untouched.
 */
public final class TempFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private TempFiles() {}

    /** Lists a temporary file or folder for deletion at shutdown. */
    public static Path track(Path p) {
        hook();
        LIVE.add(p.toAbsolutePath());
        return p;
    }

    /** It was committed (renamed) or deleted: nothing to clean. */
    public static void untrack(Path p) {
        LIVE.remove(p.toAbsolutePath());
    }

    /** Listed and not yet committed or deleted (for tests). */
    public static Set<Path> live() {
        return Set.copyOf(LIVE);
    }

    /** Deletes every listed temporary (what the shutdown hook does). */
    public static void deleteAll() {
        for (Path p : Set.copyOf(LIVE)) {
            try {
                AtomicFiles.deleteTree(p);
            } catch (Exception | Error e) {
                // best effort at exit
            }
            LIVE.remove(p);
        }
    }

    private static void hook() {
        if (!hooked) {
            synchronized (TempFiles.class) {
                if (!hooked) {
                    Runtime.getRuntime()
                            .addShutdownHook(
                                    new Thread(TempFiles::deleteAll, "frafer-temp-cleanup"));
                    hooked = true;
                }
            }
        }
    }
}
