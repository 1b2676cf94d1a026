package org.frafer.infer;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count. libtorch starts one thread per core in every process, so two
 * processes on one machine each run twice as many threads as there are cores and slow each other
 * down many times over (threads spinning on busy cores). The count is process-wide: the last
 * setting wins.
 *
 * <p>Chosen as: an explicit count, else {@code FRAFER_THREADS}, else available cores (which honours
 * taskset and container CPU limits) divided by the number of concurrent workers.
 */
public final class EngineThreads {
    /** Environment variable with the default thread count. */
    public static final String ENV = "FRAFER_THREADS";

    private EngineThreads() {}

    /** The count {@link #apply} would set. */
    public static int choose(int requested, int concurrentWorkers) {
        if (requested > 0) {
            return requested;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        ENV + "=" + env + " is not a positive whole number");
            }
        }
        return Math.max(
                1, Runtime.getRuntime().availableProcessors() / Math.max(1, concurrentWorkers));
    }

    /** Sets the PyTorch intra-op threads (when the engine is PyTorch) and returns the count. */
    public static int apply(int requested, int concurrentWorkers) {
        int n = choose(requested, concurrentWorkers);
        if ("PyTorch".equals(Engine.getInstance().getEngineName())
                && JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
        return n;
    }

    /** The count in effect. */
    public static int current() {
        return JniUtils.getNumThreads();
    }
}
