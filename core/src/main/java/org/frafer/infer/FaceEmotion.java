package org.frafer.infer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.faces.DetectedFace;

/**
 * The emotion of one face.
 *
 * @param face where the face is in the image (box, detector score, keypoints); for faces passed in
 *     already cropped, the whole crop with score 1 and no keypoints
 * @param classes class names in output order (the model's)
 * @param probabilities softmax probabilities, one per class, in {@code classes} order (personalised
 *     when {@code person} is set)
 * @param person the enrolled person the face was matched to (or the identity group, {@code
 *     group-N}, of automatic personalisation); null when unmatched or not personalised
 */
public record FaceEmotion(
        DetectedFace face, List<String> classes, float[] probabilities, String person) {
    /** An unpersonalised prediction. */
    public FaceEmotion(DetectedFace face, List<String> classes, float[] probabilities) {
        this(face, classes, probabilities, null);
    }

    public FaceEmotion {
        if (classes.size() != probabilities.length) {
            throw new IllegalArgumentException(
                    classes.size() + " classes but " + probabilities.length + " probabilities");
        }
        classes = List.copyOf(classes);
    }

    /** Index of the most probable class. */
    public int topIndex() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Name of the most probable class. */
    public String label() {
        return classes.get(topIndex());
    }

    /** Probability of the most probable class. */
    public float score() {
        return probabilities[topIndex()];
    }

    public float probability(String className) {
        int i = classes.indexOf(className);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "unknown class '" + className + "', the model's classes are " + classes);
        }
        return probabilities[i];
    }

    /** Class name to probability, in class order. */
    public Map<String, Float> probabilityMap() {
        Map<String, Float> m = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            m.put(classes.get(i), probabilities[i]);
        }
        return m;
    }

    @Override
    public String toString() {
        return String.format(
                "FaceEmotion[%s %.3f at (%.0f, %.0f, %.0f x %.0f)%s]",
                label(),
                score(),
                face.x(),
                face.y(),
                face.width(),
                face.height(),
                person == null ? "" : " of " + person);
    }
}
