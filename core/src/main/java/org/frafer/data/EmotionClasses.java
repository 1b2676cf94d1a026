package org.frafer.data;

import java.util.List;

/** Canonical class names and their order, as in HSEmotion (AffectNet-8 / AffectNet-7). */
public final class EmotionClasses {
    /** AffectNet-8 order: the output order of every 8-class model. */
    public static final List<String> EIGHT =
            List.of(
                    "Anger",
                    "Contempt",
                    "Disgust",
                    "Fear",
                    "Happiness",
                    "Neutral",
                    "Sadness",
                    "Surprise");

    /** AffectNet-7 order: EIGHT without Contempt. */
    public static final List<String> SEVEN =
            List.of("Anger", "Disgust", "Fear", "Happiness", "Neutral", "Sadness", "Surprise");

    private EmotionClasses() {}
}
