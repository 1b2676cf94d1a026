package org.frafer.data;

/**
 * The FER+ label rules ({@code ferplus.py} of Microsoft's FERPlus release) for one row of 10 vote
 * counts in FER+ order: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt,
 * unknown, not-a-face.
 */
public final class FerPlusVotes {
    /** FER+ vote columns 0..7 as canonical class names. */
    public static final java.util.List<String> EMOTIONS =
            java.util.List.of(
                    "Neutral",
                    "Happiness",
                    "Surprise",
                    "Sadness",
                    "Anger",
                    "Disgust",
                    "Fear",
                    "Contempt");

    private FerPlusVotes() {}

    /** Votes of 1 (and 0) become 0: the outlier removal of ferplus.py. Returns a new array. */
    public static int[] clean(int[] votes) {
        if (votes.length != 10) {
            throw new IllegalArgumentException(
                    "FER+ rows have 10 vote counts, got " + votes.length);
        }
        int[] out = new int[10];
        for (int i = 0; i < 10; i++) {
            if (votes[i] < 0) {
                throw new IllegalArgumentException("negative vote count " + votes[i]);
            }
            out[i] = votes[i] <= 1 ? 0 : votes[i];
        }
        return out;
    }

    /**
     * 'majority' mode: after {@link #clean}, the top column if it has more than half of all
     * remaining votes (unknown and not-a-face included) and is an emotion (0..7); otherwise -1
     * (image excluded).
     */
    public static int majority(int[] votes) {
        int[] v = clean(votes);
        int sum = 0;
        int best = 0;
        for (int i = 0; i < 10; i++) {
            sum += v[i];
            if (v[i] > v[best]) {
                best = i;
            }
        }
        if (2L * v[best] > sum && best < 8) {
            return best;
        }
        return -1;
    }

    /**
     * Cleaned vote distribution over the 8 emotions in FER+ column order (null when no emotion vote
     * is left).
     */
    public static float[] distribution(int[] votes) {
        int[] v = clean(votes);
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += v[i];
        }
        if (sum == 0) {
            return null;
        }
        float[] d = new float[8];
        for (int i = 0; i < 8; i++) {
            d[i] = v[i] / (float) sum;
        }
        return d;
    }
}
