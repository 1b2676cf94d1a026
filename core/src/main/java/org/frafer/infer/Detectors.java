package org.frafer.infer;

import java.util.List;
import org.frafer.faces.FaceDetector;
import org.frafer.faces.FaceModels;

/**
 * Creates the face detectors the recognizer can use by name (BlazeFace from the assets, see {@link
 * FaceModels}).
 */
public final class Detectors {
    /**
     * Variants: BlazeFace "back" (256 px input, small and distant faces) and "front" (128 px,
     * close-ups).
     */
    public static final List<String> VARIANTS = List.of("back", "front");

    public static final String DEFAULT = "back";

    private Detectors() {}

    public static FaceDetector create(String variant, float minScore) {
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException(
                    "unknown detector '" + variant + "', expected one of " + VARIANTS);
        }
        return FaceModels.detector(variant).minScore(minScore);
    }
}
