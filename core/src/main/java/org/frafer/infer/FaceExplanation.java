package org.frafer.infer;

import org.frafer.faces.DetectedFace;

/**
 * What the network did with one face (the paper's Fig. 4).
 *
 * @param emotion the prediction
 * @param input the face as the network saw it (model input size, RGB)
 * @param fusion the model's fusion ({@code fra}, {@code none}, {@code concat}, {@code cse}, ...)
 * @param attention the FR attention map S at layer q, shape (1, Hq, Wq), values in [0, 1]; null
 *     when the fusion has none
 * @param featureBefore the FER feature map H_FER_q before the fusion, shape (C, Hq, Wq), or null
 *     when the model does not expose it
 * @param featureAfter H_FER_q after the fusion, shape (C, Hq, Wq), or null
 * @param embedding the pooled FER embedding before the classifier, shape (D)
 */
public record FaceExplanation(
        FaceEmotion emotion,
        java.awt.image.BufferedImage input,
        String fusion,
        FloatTensor attention,
        FloatTensor featureBefore,
        FloatTensor featureAfter,
        FloatTensor embedding) {

    public DetectedFace face() {
        return emotion.face();
    }

    public boolean hasAttention() {
        return attention != null;
    }
}
