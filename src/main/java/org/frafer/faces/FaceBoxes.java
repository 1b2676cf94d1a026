package org.frafer.faces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Clean-up after BlazeFace's own weighted NMS (IoU > 0.3). On small or already-cropped faces the
 * detector reports the same face two or three times at different scales (a small box inside a large one:
 * IoU under 0.3, so NMS keeps both); each would be classified as another face. Here a box mostly inside
 * a higher-scoring one (intersection over the smaller area above {@link #CONTAINED}) is dropped. Measured with
 * DetectorOnCropsMeasure (test sources): on the first 1000 FER+ test crops images with 2+ boxes go from 135 to 21;
 * the 22 faces of the 6 sample photos do not overlap at all and are all kept.
 */
public final class FaceBoxes {
    /** Fraction of the smaller box inside the larger above which the two are one face. */
    public static final float CONTAINED = 0.3f;

    private FaceBoxes() {}

    /** Faces sorted by score, duplicates removed. */
    public static List<DetectedFace> clean(List<DetectedFace> faces, int width, int height) {
        List<DetectedFace> sorted = new ArrayList<>(faces);
        sorted.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
        List<DetectedFace> kept = new ArrayList<>();
        for (DetectedFace f : sorted) {
            boolean duplicate = false;
            for (DetectedFace k : kept) {
                if (overlapOfSmaller(f, k) > CONTAINED) {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate) {
                kept.add(f);
            }
        }
        return kept;
    }

    /** Intersection area over the area of the smaller box. */
    public static float overlapOfSmaller(DetectedFace a, DetectedFace b) {
        float ix = Math.max(0, Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x()));
        float iy = Math.max(0, Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y()));
        float smaller = Math.min(a.width() * a.height(), b.width() * b.height());
        return smaller > 0 ? ix * iy / smaller : 0;
    }
}
