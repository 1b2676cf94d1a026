package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;

/**
 * A built FER network (FER backbone + fusion, plus a reference to its frozen FR branch) with its
 * config: what training, evaluation and inference work with.
 */
public interface EmotionNetwork extends AutoCloseable {
    ModelConfig config();

    /**
     * The DJL block: input NDList(images NCHW float32 RGB [0,1] at config().inputSize), output
     * NDList(logits (N, K)).
     */
    Block block();

    /** Parameters that train: the FER net and the fusion (never the FR branch). */
    List<Parameter> trainableParameters();

    /** The classifier only (HSEmotion's stage 1 trains just these). */
    List<Parameter> headParameters();

    /**
     * Everything one forward pass can show (for features/explain); arrays belong to images'
     * manager.
     */
    Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training);

    /**
     * Inference: eval mode, no gradients needed, arrays belong to images' manager. Implementations
     * may free intermediates early (FraFerNetwork does), so do not call it inside a
     * GradientCollector.
     */
    default Outputs predict(NDArray images) {
        return forwardDetailed(new ParameterStore(images.getManager(), false), images, false);
    }

    /**
     * From now on {@link #predict} may run a faster copy of the weights made for inference
     * (FraFerNetwork folds BatchNorm into the convolutions); a training forward drops it. Call it
     * once weights are final. Default: nothing.
     */
    default EmotionNetwork foldForInference() {
        return this;
    }

    /** Writes {@code config.json} + {@code model.safetensors} into dir (created if missing). */
    void save(Path dir);

    @Override
    void close();

    /**
     * @param logits (N, K)
     * @param embedding pooled FER embedding before the classifier (N, D)
     * @param attention the FRA map S at layer q (N, 1, Hq, Wq), or null for other fusions
     * @param featureBefore H_FER_q before the fusion (N, C, Hq, Wq)
     * @param featureAfter H_FER_q after the fusion
     */
    record Outputs(
            NDArray logits,
            NDArray embedding,
            NDArray attention,
            NDArray featureBefore,
            NDArray featureAfter) {}
}
