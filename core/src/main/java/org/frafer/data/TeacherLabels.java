package org.frafer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Soft targets from a teacher model, produced offline (e.g. {@code tools/teacher/opencv_fer.py
 * soft-labels}) as a CSV {@code image,<class>,<class>,...}: one row per image, its path relative to
 * the folder the teacher read (with '/'), then one probability per class named in the header (any
 * subset of {@link EmotionClasses#EIGHT}, any order, any case). {@link #apply} gives each sample of
 * a dataset the target {@code weight * teacher + (1 - weight) * own}, where {@code own} is the
 * sample's soft label (FER+ votes) or its one-hot label; a class the teacher lacks (the zoo model
 * has no Contempt) gets 0 from it, and a class the dataset lacks is dropped and the rest
 * renormalised. Rows match samples by the trailing components of the image path, so the CSV works
 * wherever the data folder is mounted.
 */
public final class TeacherLabels {
    private final Path file;
    private final List<String> classes;
    private final Map<String, float[]> byRelativePath;

    private TeacherLabels(Path file, List<String> classes, Map<String, float[]> rows) {
        this.file = file;
        this.classes = classes;
        this.byRelativePath = rows;
    }

    /** The teacher's class names, in canonical form and CSV column order. */
    public List<String> classes() {
        return classes;
    }

    public int size() {
        return byRelativePath.size();
    }

    /** Reads the CSV; a clear DatasetException naming the file and line on any bad row. */
    public static TeacherLabels read(Path csv) {
        if (!Files.isRegularFile(csv)) {
            throw new DatasetException("teacher labels file not found: " + csv);
        }
        Map<String, float[]> rows = new LinkedHashMap<>();
        List<String> classes = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new DatasetException(
                        csv + ": empty file, expected a header image,<class>,...");
            }
            List<String> names = Datasets.Csv.split(header.replaceFirst("^\uFEFF", ""));
            if (names.size() < 3 || !names.get(0).trim().equalsIgnoreCase("image")) {
                throw new DatasetException(
                        csv
                                + " line 1: expected the header image,<class>,<class>,... got "
                                + names);
            }
            for (String n : names.subList(1, names.size())) {
                String c = EmotionNames.canonical(n);
                if (c == null || classes.contains(c)) {
                    throw new DatasetException(
                            csv
                                    + " line 1: column '"
                                    + n
                                    + "' is "
                                    + (c == null ? "not a class name" : "a repeated class")
                                    + " (accepted, any case: "
                                    + EmotionNames.accepted()
                                    + ")");
                }
                classes.add(c);
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = Datasets.Csv.split(line);
                if (f.size() != names.size()) {
                    throw new DatasetException(
                            csv
                                    + " line "
                                    + lineNo
                                    + ": "
                                    + f.size()
                                    + " fields, the header has "
                                    + names.size());
                }
                String image = normalise(f.get(0));
                if (image.isEmpty()) {
                    throw new DatasetException(csv + " line " + lineNo + ": empty image path");
                }
                float[] p = new float[classes.size()];
                double sum = 0;
                for (int k = 0; k < p.length; k++) {
                    try {
                        p[k] = Float.parseFloat(f.get(k + 1).trim());
                    } catch (NumberFormatException e) {
                        throw new DatasetException(
                                csv
                                        + " line "
                                        + lineNo
                                        + ": '"
                                        + f.get(k + 1)
                                        + "' is not a number");
                    }
                    if (!(p[k] >= 0 && p[k] <= 1)) {
                        throw new DatasetException(
                                csv
                                        + " line "
                                        + lineNo
                                        + ": probability "
                                        + p[k]
                                        + " is not in [0, 1]");
                    }
                    sum += p[k];
                }
                if (Math.abs(sum - 1) > 1e-3) {
                    throw new DatasetException(
                            csv + " line " + lineNo + ": probabilities sum to " + sum + ", not 1");
                }
                if (rows.put(image, p) != null) {
                    throw new DatasetException(
                            csv + " line " + lineNo + ": image " + image + " is listed twice");
                }
            }
        } catch (IOException e) {
            throw new DatasetException(csv + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (rows.isEmpty()) {
            throw new DatasetException(csv + ": no rows");
        }
        return new TeacherLabels(csv, List.copyOf(classes), rows);
    }

    private static String normalise(String path) {
        String p = path.trim().replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return p;
    }

    /**
     * The teacher's distribution for an image, in the CSV's class order, or null when no row
     * matches.
     */
    public float[] lookup(Path image) {
        List<String> parts = new ArrayList<>();
        for (Path p : image.normalize()) {
            parts.add(p.toString());
        }
        StringBuilder suffix = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) {
            suffix.insert(0, i == parts.size() - 1 ? parts.get(i) : parts.get(i) + "/");
            float[] hit = byRelativePath.get(suffix.toString());
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }

    /**
     * The dataset with every matched sample's soft label set to {@code weight * teacher + (1 -
     * weight) * own}; samples without a row keep their own target and are counted in {@link
     * LoadedDataset#dropped()} under "no teacher label (own target kept)".
     */
    public LoadedDataset apply(FaceDataset ds, float weight) {
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("teacher weight must be in [0, 1], got " + weight);
        }
        List<String> dsClasses = ds.classes();
        int[] teacherToDs = new int[classes.size()];
        for (int k = 0; k < classes.size(); k++) {
            teacherToDs[k] = dsClasses.indexOf(classes.get(k));
        }
        List<FaceSample> out = new ArrayList<>(ds.samples().size());
        int missing = 0;
        for (FaceSample s : ds.samples()) {
            float[] t = lookup(s.image());
            if (t == null) {
                missing++;
                out.add(s);
                continue;
            }
            float[] target = mix(t, teacherToDs, own(s, dsClasses.size()), weight);
            out.add(new FaceSample(s.image(), s.box(), s.label(), target, s.subject()));
        }
        Map<String, Integer> dropped = new HashMap<>();
        if (ds instanceof LoadedDataset l) {
            dropped.putAll(l.dropped());
        }
        Map<String, Integer> ordered = new LinkedHashMap<>(dropped);
        if (missing > 0) {
            ordered.put("no teacher label (own target kept)", missing);
        }
        return new LoadedDataset(
                ds.name() + " + teacher " + file.getFileName() + " (weight " + weight + ")",
                dsClasses,
                out,
                ordered);
    }

    private static float[] own(FaceSample s, int k) {
        if (s.softLabel() != null && s.softLabel().length == k) {
            return s.softLabel();
        }
        float[] oneHot = new float[k];
        if (s.label() >= 0 && s.label() < k) {
            oneHot[s.label()] = 1;
        }
        return oneHot;
    }

    /** weight * teacher (mapped to the dataset's classes, renormalised) + (1 - weight) * own. */
    static float[] mix(float[] teacher, int[] teacherToDs, float[] own, float weight) {
        float[] mapped = new float[own.length];
        double sum = 0;
        for (int k = 0; k < teacher.length; k++) {
            if (teacherToDs[k] >= 0) {
                mapped[teacherToDs[k]] += teacher[k];
                sum += teacher[k];
            }
        }
        float[] target = new float[own.length];
        for (int k = 0; k < own.length; k++) {
            double t =
                    sum > 0
                            ? mapped[k] / sum
                            : own[k]; // nothing the dataset knows: keep its own target
            target[k] = (float) (weight * t + (1 - weight) * own[k]);
        }
        return target;
    }
}
