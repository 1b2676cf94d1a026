package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.frafer.faces.FrBackbone;

/**
 * The paper's {@code concat} ablation: the FER feature map passes unchanged and the FR identity
 * embedding ({@link FrBackbone#embedding}, the backbone's full descriptor) is appended to the
 * pooled FER embedding before the classifier. No parameters of its own; the classifier is {@link
 * #extraEmbeddingFeatures} wider.
 */
public final class ConcatFusion extends Fusion {
    public static final String NAME = "concat";

    public ConcatFusion() {
        super(NAME);
    }

    @Override
    public boolean needsFrFeatures() {
        return false;
    }

    @Override
    public boolean needsFrBackbone() {
        return true;
    }

    @Override
    public Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training) {
        return new Result(hFer, null);
    }

    @Override
    public NDArray embed(NDArray ferEmbedding, FrBackbone fr, NDArray images) {
        return ferEmbedding.concat(fr.embedding(images), 1);
    }

    /** Width of the FR embedding appended to the FER embedding (probed with one small image). */
    public static int extraEmbeddingFeatures(FrBackbone fr) {
        try (NDManager m = NDManager.newBaseManager()) {
            return (int) fr.embedding(m.zeros(new Shape(1, 3, 32, 32))).getShape().get(1);
        }
    }
}
