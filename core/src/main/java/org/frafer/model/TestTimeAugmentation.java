package org.frafer.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Locale;

/**
 * Test-time augmentation: the views of a face batch whose probabilities are averaged ({@link
 * Probabilities#meanOfViews}). {@code flip} adds the mirror image (training flips faces at random,
 * so the network has learnt both); it doubles the network's work.
 */
public enum TestTimeAugmentation {
    /** The face only. */
    NONE,
    /** The face and its horizontal mirror. */
    FLIP;

    /**
     * {@code none} or {@code flip}, any case; an IllegalArgumentException naming the choices
     * otherwise.
     */
    public static TestTimeAugmentation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "test-time augmentation must be none or flip, not '" + s + "'");
        }
    }

    /** Network inputs for an NCHW batch: the batch itself, then its mirror for {@code FLIP}. */
    public List<NDArray> views(NDArray nchw) {
        return this == FLIP ? List.of(nchw, nchw.flip(3)) : List.of(nchw);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
