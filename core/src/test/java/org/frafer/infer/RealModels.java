package org.frafer.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.frafer.Assets;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import org.junit.jupiter.api.Assumptions;

/** The real pieces for end-to-end tests, or a skip saying which one is missing. */
public final class RealModels {
    public static final String SAMPLE = "samples/sample1.jpg";

    private RealModels() {}

    /**
     * Why the real-pieces tests cannot run here, or null when the sample photos and BlazeFace are
     * there.
     */
    public static String missingAssets() {
        return Assets.present(SAMPLE) && Assets.present("human-models/models/blazeface-back.json")
                ? null
                : "skipped: sample photos or BlazeFace model missing under "
                        + Assets.root()
                        + " (run bin/setup)";
    }

    /**
     * A randomly initialised FRA-FER network (tf_efficientnet_b0, FRA at the stem, a random
     * EfficientNet FR stand-in: no trained model is bundled yet), or null when the network is not
     * in this build.
     */
    public static EmotionNetwork randomNetworkOrNull() {
        ModelConfig c = new ModelConfig();
        c.frBackbone = "tf_efficientnet_b0";
        try {
            return Networks.create(c);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** Skips the calling test (each test is reported skipped with the reason). */
    public static void assumeReady(String missingAssets, Object network) {
        Assumptions.assumeTrue(missingAssets == null, missingAssets);
        Assumptions.assumeTrue(
                network != null,
                "skipped: the FRA-FER network is not in this build yet (Networks.create pending)");
    }

    /** Uses a network without taking it over: closing the wrapper leaves it open. */
    public static EmotionNetwork unowned(EmotionNetwork n) {
        return new EmotionNetwork() {
            @Override
            public ModelConfig config() {
                return n.config();
            }

            @Override
            public Block block() {
                return n.block();
            }

            @Override
            public List<Parameter> trainableParameters() {
                return n.trainableParameters();
            }

            @Override
            public List<Parameter> headParameters() {
                return n.headParameters();
            }

            @Override
            public Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training) {
                return n.forwardDetailed(ps, images, training);
            }

            @Override
            public void save(Path dir) {
                n.save(dir);
            }

            @Override
            public void close() {}
        };
    }
}
