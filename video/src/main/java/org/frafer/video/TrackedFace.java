package org.frafer.video;

import org.frafer.infer.FaceEmotion;

/**
 * One face of a frame, with its track.
 *
 * @param track the track id (1, 2, ... in order of first appearance)
 * @param emotion the network's prediction for this frame alone (identical to predicting the frame
 *     as a photo)
 * @param smoothed probabilities after the temporal filter (see {@link EmotionSmoother}); equal to
 *     the frame's own when smoothing is off
 * @param embedding the FER embedding of the face, or null when not requested
 */
public record TrackedFace(int track, FaceEmotion emotion, float[] smoothed, float[] embedding) {

    /** Class index with the highest smoothed probability (the label reported for the frame). */
    public int labelIndex() {
        int best = 0;
        for (int i = 1; i < smoothed.length; i++) {
            if (smoothed[i] > smoothed[best]) {
                best = i;
            }
        }
        return best;
    }

    public String label() {
        return emotion.classes().get(labelIndex());
    }
}
