package org.frafer.model;

import java.nio.file.Path;

/**
 * Builds and loads {@link EmotionNetwork}s. The single entry point the trainer, evaluator and
 * inference API use, so they never depend on a concrete architecture.
 */
public final class Networks {
    private Networks() {}

    /** A new network for the config, randomly initialised (FR branch from its own weights). */
    public static EmotionNetwork create(ModelConfig config) {
        throw new UnsupportedOperationException("Networks.create: pending (network issue)");
    }

    /** Loads a model folder written by {@link EmotionNetwork#save}. */
    public static EmotionNetwork load(Path modelDir) {
        throw new UnsupportedOperationException("Networks.load: pending (network issue)");
    }

    /**
     * Loads FER weights (timm state_dict names, safetensors) into a network, e.g. a converted
     * HSEmotion checkpoint; returns a report of missing/unexpected keys.
     */
    public static String loadFerWeights(EmotionNetwork network, Path safetensors, boolean strict) {
        throw new UnsupportedOperationException("Networks.loadFerWeights: pending (network issue)");
    }
}
