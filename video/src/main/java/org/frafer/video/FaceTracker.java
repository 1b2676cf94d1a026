package org.frafer.video;

import java.util.ArrayList;
import java.util.List;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceDescriptors;

/**
 * Gives each face of a frame a track id, so one person keeps one id through the clip.
 *
 * <p>Faces of a frame are matched to the known tracks by a one-to-one assignment (Hungarian) that
 * maximises box overlap (IoU with the track's last box, only for tracks seen within {@code
 * occlusionSeconds}) plus identity similarity (cosine of FR descriptors with the track's mean
 * descriptor). A pair may be matched when the identity is clearly the same person ({@code cosine >=
 * reidCosine}: this re-finds a person after a cut or an occlusion, for up to {@code memorySeconds})
 * or when the boxes overlap ({@code IoU >= minIou}) and the descriptors do not clearly disagree
 * ({@code cosine >= minCosineWithOverlap}). Unmatched faces open new tracks. Without descriptors
 * (null) tracking is by overlap only, and a cut gives new ids.
 *
 * <p>Memory is bounded: tracks unseen for more than {@code memorySeconds} are forgotten.
 */
public final class FaceTracker {

    /**
     * Tuning of the matcher; defaults measured on Yale faces with the HSE FaceRes descriptors (see
     * docs/video.md).
     */
    public record Options(
            double minIou,
            double reidCosine,
            double minCosineWithOverlap,
            double occlusionSeconds,
            double memorySeconds) {
        public static Options defaults() {
            return new Options(0.3, 0.6, 0.3, 1.0, 600);
        }
    }

    private static final double FORBIDDEN = 1e9;

    private static final class Track {
        final int id;
        DetectedFace box;
        float[] descriptorSum;
        double lastSeen;

        Track(int id) {
            this.id = id;
        }
    }

    private final Options options;
    private final List<Track> tracks = new ArrayList<>();
    private int nextId = 1;

    public FaceTracker(Options options) {
        this.options = options;
    }

    public FaceTracker() {
        this(Options.defaults());
    }

    /** Tracks currently remembered. */
    public int activeTracks() {
        return tracks.size();
    }

    /**
     * Track ids for the faces of one frame, in the order given.
     *
     * @param descriptors unit FR descriptors, one per face, or null to track by overlap only
     */
    public int[] assign(double time, List<DetectedFace> faces, float[][] descriptors) {
        tracks.removeIf(t -> time - t.lastSeen > options.memorySeconds());
        int n = faces.size();
        int[] ids = new int[n];
        if (n == 0) {
            return ids;
        }
        int m = tracks.size();
        int[] match = new int[n];
        java.util.Arrays.fill(match, -1);
        if (m > 0) {
            double[][] cost = new double[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    cost[i][j] =
                            cost(
                                    time,
                                    faces.get(i),
                                    descriptors == null ? null : descriptors[i],
                                    tracks.get(j));
                }
            }
            int[] a = Hungarian.solve(cost);
            for (int i = 0; i < n; i++) {
                if (a[i] >= 0 && cost[i][a[i]] < FORBIDDEN / 2) {
                    match[i] = a[i];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            Track t;
            if (match[i] >= 0) {
                t = tracks.get(match[i]);
            } else {
                t = new Track(nextId++);
                tracks.add(t);
            }
            t.box = faces.get(i);
            t.lastSeen = time;
            if (descriptors != null) {
                // The track's identity is the mean of its descriptors: steady through changes of
                // expression.
                if (t.descriptorSum == null) {
                    t.descriptorSum = descriptors[i].clone();
                } else {
                    for (int k = 0; k < t.descriptorSum.length; k++) {
                        t.descriptorSum[k] += descriptors[i][k];
                    }
                }
            }
            ids[i] = t.id;
        }
        return ids;
    }

    private double cost(double time, DetectedFace face, float[] descriptor, Track t) {
        double iou = time - t.lastSeen <= options.occlusionSeconds() ? iou(face, t.box) : 0;
        if (descriptor == null || t.descriptorSum == null) {
            return iou >= options.minIou() ? -iou : FORBIDDEN;
        }
        double cos = FaceDescriptors.cosine(descriptor, t.descriptorSum);
        boolean same =
                cos >= options.reidCosine()
                        || (iou >= options.minIou() && cos >= options.minCosineWithOverlap());
        return same ? -(iou + cos) : FORBIDDEN;
    }

    /** Intersection over union of two boxes. */
    public static double iou(DetectedFace a, DetectedFace b) {
        double x1 = Math.max(a.x(), b.x());
        double y1 = Math.max(a.y(), b.y());
        double x2 = Math.min(a.x() + a.width(), b.x() + b.width());
        double y2 = Math.min(a.y() + a.height(), b.y() + b.height());
        double inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
        double union = (double) a.width() * a.height() + (double) b.width() * b.height() - inter;
        return union > 0 ? inter / union : 0;
    }
}
