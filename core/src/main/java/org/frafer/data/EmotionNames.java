package org.frafer.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps the class names people use (folder names, CSV values) to the canonical {@link
 * EmotionClasses} names.
 */
public final class EmotionNames {
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        alias("Anger", "anger", "angry");
        alias("Contempt", "contempt", "contemptuous");
        alias("Disgust", "disgust", "disgusted");
        alias("Fear", "fear", "fearful", "afraid", "scared");
        alias("Happiness", "happiness", "happy", "joy");
        alias("Neutral", "neutral");
        alias("Sadness", "sadness", "sad");
        alias("Surprise", "surprise", "surprised");
    }

    private EmotionNames() {}

    private static void alias(String canonical, String... names) {
        for (String n : names) {
            ALIASES.put(n, canonical);
        }
    }

    /**
     * The canonical name for {@code name} (case and surrounding spaces/underscores ignored), or
     * null.
     */
    public static String canonical(String name) {
        return ALIASES.get(
                name.trim().toLowerCase(Locale.ROOT).replaceAll("^[_\\-\\s]+|[_\\-\\s]+$", ""));
    }

    /**
     * Accepted names, for error messages. "calm" is deliberately not accepted: it is its own class
     * in RAVDESS.
     */
    public static List<String> accepted() {
        return List.copyOf(new TreeSet<>(ALIASES.keySet()));
    }
}
