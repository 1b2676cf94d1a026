package org.frafer.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Person- (or clip-) disjoint train/valid/test splits for data sets that ship without splits: each
 * subject id goes wholly to one split. Subjects are put in the order of a hash of their id
 * (SHA-256, so the order never changes with the JVM or the file order), then taken in that order
 * into test until it holds at least 10 % of the samples, then into valid until it holds 10 %, the
 * rest into train. Filling by sample count instead of hashing each subject to a bucket keeps the
 * parts near 80/10/10 when a few subjects hold many samples (SFEW has 45 movies of 1 to 54 faces).
 */
public final class SubjectSplit {
    /** Split names; null or {@code all} means every sample. */
    public static final String TRAIN = "train";

    public static final String VALID = "valid";
    public static final String TEST = "test";
    public static final String ALL = "all";

    /** Share of the samples in test and in valid each. */
    static final double HELD_OUT = 0.10;

    private SubjectSplit() {}

    /** subject -> split name, for subjects with the given sample counts. */
    public static Map<String, String> assign(Map<String, Integer> samplesPerSubject) {
        List<String> order = new ArrayList<>(samplesPerSubject.keySet());
        order.sort(
                Comparator.comparingLong(SubjectSplit::hash)
                        .thenComparing(Comparator.naturalOrder()));
        long total = 0;
        for (int n : samplesPerSubject.values()) {
            total += n;
        }
        Map<String, String> out = new HashMap<>();
        long test = 0;
        long valid = 0;
        for (String subject : order) {
            int n = samplesPerSubject.get(subject);
            if (test < HELD_OUT * total) {
                out.put(subject, TEST);
                test += n;
            } else if (valid < HELD_OUT * total) {
                out.put(subject, VALID);
                valid += n;
            } else {
                out.put(subject, TRAIN);
            }
        }
        return out;
    }

    /**
     * The samples of {@code split} (a name from {@link #parse}), subjects assigned by {@link
     * #assign} over {@code samplesPerSubject}: count every labelled image of the set there, before
     * anything is left out by the class mode, so that 7- and 8-class reads split the people the
     * same way.
     */
    public static List<FaceSample> select(
            List<FaceSample> samples, String split, Map<String, Integer> samplesPerSubject) {
        if (ALL.equals(split)) {
            return samples;
        }
        Map<String, String> assigned = assign(samplesPerSubject);
        List<FaceSample> out = new ArrayList<>();
        for (FaceSample s : samples) {
            if (split.equals(assigned.get(s.subject()))) {
                out.add(s);
            }
        }
        return out;
    }

    /** The first 8 bytes of SHA-256(subject, UTF-8). */
    static long hash(String subject) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(subject.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (h[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * The canonical split name for a user's {@code --split} (null = all), or a DatasetException
     * naming the choices.
     */
    public static String parse(String split, String dataset) {
        if (split == null) {
            return ALL;
        }
        String s = split.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "train", "training" -> TRAIN;
            case "valid", "validation", "val" -> VALID;
            case "test" -> TEST;
            case "all" -> ALL;
            default ->
                    throw new DatasetException(
                            dataset
                                    + " split must be train, valid, test or all (disjoint by "
                                    + "person/movie, about 80/10/10), not '"
                                    + split
                                    + "'");
        };
    }
}
