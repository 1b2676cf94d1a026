package org.frafer.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A dataset read by {@link Datasets#open(DatasetSpec)}: samples plus what was left out and why. */
public final class LoadedDataset implements FaceDataset {
    private final String name;
    private final List<String> classes;
    private final List<FaceSample> samples;
    private final Map<String, Integer> dropped;

    public LoadedDataset(
            String name,
            List<String> classes,
            List<FaceSample> samples,
            Map<String, Integer> dropped) {
        this.name = name;
        this.classes = List.copyOf(classes);
        this.samples = Collections.unmodifiableList(samples);
        this.dropped = Collections.unmodifiableMap(new LinkedHashMap<>(dropped));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public List<FaceSample> samples() {
        return samples;
    }

    /**
     * Rows/files left out, by reason (e.g. "no majority (FER+ rule)" -> 3513), in the order first
     * seen.
     */
    public Map<String, Integer> dropped() {
        return dropped;
    }

    /** Samples per class, in class order. */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (FaceSample s : samples) {
            if (s.label() >= 0) {
                counts[s.label()]++;
            }
        }
        return counts;
    }

    /** One line: name, size, per-class counts and dropped counts. */
    public String summary() {
        StringBuilder sb =
                new StringBuilder(name).append(": ").append(samples.size()).append(" samples (");
        int[] c = classCounts();
        for (int i = 0; i < c.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(classes.get(i)).append(' ').append(c[i]);
        }
        sb.append(')');
        dropped.forEach((k, v) -> sb.append("; dropped ").append(k).append(": ").append(v));
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
