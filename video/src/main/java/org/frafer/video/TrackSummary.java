package org.frafer.video;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one track did over the clip.
 *
 * @param track id
 * @param frames sampled frames the track was seen in
 * @param firstSeconds first time seen
 * @param lastSeconds last time seen
 * @param seconds time on screen: frames x the sampling period (gaps are not counted)
 * @param share share of its frames per emotion (by the reported, possibly smoothed, label), class
 *     order
 * @param meanProbabilities mean of the frames' own probabilities, class order
 */
public record TrackSummary(
        int track,
        int frames,
        double firstSeconds,
        double lastSeconds,
        double seconds,
        Map<String, Double> share,
        Map<String, Double> meanProbabilities) {

    /**
     * Accumulates a track's frames; keeps its timeline (time + probabilities per frame) for the
     * chart.
     */
    static final class Builder {
        final int track;
        final List<String> classes;
        final int[] labelCounts;
        final double[] probabilitySums;
        final List<double[]> timeline =
                new ArrayList<>(); // {time, p0, p1, ...} of the reported probabilities
        int frames;
        double first = Double.NaN;
        double last = Double.NaN;
        double seconds;
        final ClipFeatures clipFeatures;

        Builder(int track, List<String> classes, boolean clipFeatures) {
            this.track = track;
            this.classes = classes;
            this.labelCounts = new int[classes.size()];
            this.probabilitySums = new double[classes.size()];
            this.clipFeatures = clipFeatures ? new ClipFeatures() : null;
        }

        void add(double time, double period, TrackedFace f) {
            frames++;
            if (Double.isNaN(first)) {
                first = time;
            }
            last = time;
            seconds += period;
            labelCounts[f.labelIndex()]++;
            float[] p = f.emotion().probabilities();
            double[] row = new double[p.length + 1];
            row[0] = time;
            for (int i = 0; i < p.length; i++) {
                probabilitySums[i] += p[i];
                row[i + 1] = f.smoothed()[i];
            }
            timeline.add(row);
            if (clipFeatures != null && f.embedding() != null) {
                clipFeatures.add(ClipFeatures.frameFeatures(f.embedding(), p));
            }
        }

        TrackSummary build() {
            Map<String, Double> share = new LinkedHashMap<>();
            Map<String, Double> mean = new LinkedHashMap<>();
            for (int i = 0; i < classes.size(); i++) {
                share.put(classes.get(i), frames == 0 ? 0 : labelCounts[i] / (double) frames);
                mean.put(classes.get(i), frames == 0 ? 0 : probabilitySums[i] / frames);
            }
            return new TrackSummary(track, frames, first, last, seconds, share, mean);
        }
    }
}
