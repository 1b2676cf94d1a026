package org.frafer.model;

import java.nio.file.Path;
import org.frafer.faces.FrBackbone;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;
import org.frafer.nn.NamedParameters;

/**
 * Builds and loads {@link EmotionNetwork}s. The single entry point the trainer, evaluator and
 * inference API use, so they never depend on a concrete architecture.
 */
public final class Networks {
    private Networks() {}

    /**
     * A new network for the config, randomly initialised (FR branch from its own weights: {@code
     * config.frWeights}, absolute or relative to the working directory; EfficientNet FR backbones
     * without weights get random weights, a stand-in for shapes and benchmarks only).
     */
    public static FraFerNetwork create(ModelConfig config) {
        return create(config, null);
    }

    static FraFerNetwork create(ModelConfig config, Path baseDir) {
        config.validate();
        FerBackbones.check(config.arch); // fail on a bad arch before loading any FR weights
        Path frWeights = config.needsFr() ? FraFerNetwork.resolveFrWeights(config, baseDir) : null;
        FrBackbone fr = config.needsFr() ? FrBackbones.create(config.frBackbone, frWeights) : null;
        try {
            return new FraFerNetwork(config, fr, frWeights);
        } catch (RuntimeException e) {
            if (fr != null) {
                fr.close();
            }
            throw e;
        }
    }

    /**
     * Loads a model folder written by {@link EmotionNetwork#save}; every tensor must be present and
     * of the right shape.
     */
    public static FraFerNetwork load(Path modelDir) {
        ModelConfig config = ModelFiles.readConfig(modelDir);
        Path weights = modelDir.resolve(ModelFiles.WEIGHTS);
        var tensors =
                SafeTensors.read(weights); // fails (naming the file) before any network is built
        FraFerNetwork net = create(config, modelDir);
        try {
            Weights.load(net.namedParameters(), tensors, true, weights.toString());
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /**
     * Loads FER weights (timm state_dict names, safetensors) into a network, e.g. a converted
     * HSEmotion checkpoint; returns a report of missing/unexpected keys. Fusion parameters ({@code
     * fusion.*}) are only expected when the file has some. Strict: any missing, unexpected or
     * shape-mismatched tensor throws (naming it) and nothing changes; lenient: they are skipped and
     * reported (e.g. a 1000-class ImageNet classifier into an 8-class network).
     */
    public static String loadFerWeights(EmotionNetwork network, Path safetensors, boolean strict) {
        if (!(network instanceof NamedParameters named)) {
            throw new IllegalArgumentException(
                    "Network " + network.getClass().getName() + " has no named parameters");
        }
        var tensors = SafeTensors.read(safetensors);
        boolean fileHasFusion = tensors.keySet().stream().anyMatch(k -> k.startsWith("fusion."));
        var targets = new java.util.LinkedHashMap<>(named.namedParameters());
        if (!fileHasFusion) {
            targets.keySet()
                    .removeIf(
                            k -> k.startsWith("fusion.")); // FER-only checkpoint: fusion keeps its
            // values
        }
        return Weights.load(targets, tensors, strict, safetensors.toString()).toString();
    }
}
