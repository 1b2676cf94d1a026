package org.frafer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The single entry point for labelled face datasets: {@code Datasets.open(spec)}. Reads from disk
 * only. Labels are indices into {@link EmotionClasses#EIGHT} or {@link EmotionClasses#SEVEN}.
 *
 * <p>Size: Over 400 lines (issue 14 split not done yet): three readers (FER+, AffectNet, folder)
 * and a CSV parser; one class per reader is the planned split.
 */
public final class Datasets {
    /**
     * AffectNet expression ids 0..7 as canonical names (8 None, 9 Uncertain, 10 No-Face are
     * skipped).
     */
    public static final List<String> AFFECTNET_EXPRESSIONS =
            List.of(
                    "Neutral",
                    "Happiness",
                    "Sadness",
                    "Surprise",
                    "Fear",
                    "Disgust",
                    "Anger",
                    "Contempt");

    private static final Pattern FERPLUS_BOX =
            Pattern.compile(
                    "\\(\\s*(-?\\d+)\\s*,\\s*(-?\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

    private Datasets() {}

    /** Reads the dataset described by {@code spec}. */
    public static LoadedDataset open(DatasetSpec spec) {
        if (!Files.exists(spec.root())) {
            throw new DatasetException("dataset root not found: " + spec.root());
        }
        List<String> classes = spec.numClasses() == 8 ? EmotionClasses.EIGHT : EmotionClasses.SEVEN;
        Map<String, Integer> dropped = new LinkedHashMap<>();
        Loaded loaded =
                switch (spec.format()) {
                    case AFFECTNET -> affectNet(spec, classes, dropped);
                    case FERPLUS -> ferPlus(spec, classes, dropped);
                    case FOLDER -> folder(spec, classes, dropped);
                    case FACIAL_EXPRESSIONS ->
                            new Loaded(
                                    "facial-expressions/"
                                            + SubjectSplit.parse(
                                                    spec.split(), "facial-expressions"),
                                    FacialExpressions.read(spec, classes, dropped));
                    case SFEW ->
                            new Loaded(
                                    "sfew/" + SubjectSplit.parse(spec.split(), "sfew"),
                                    Sfew.read(spec, classes, dropped));
                };
        List<FaceSample> samples = limit(loaded.samples, spec, dropped);
        String name =
                loaded.name
                        + " ("
                        + spec.numClasses()
                        + " classes"
                        + (spec.format() == DatasetSpec.Format.FERPLUS
                                ? ", " + spec.labelMode().name().toLowerCase(Locale.ROOT)
                                : "")
                        + ")";
        return new LoadedDataset(name, classes, samples, dropped);
    }

    private record Loaded(String name, List<FaceSample> samples) {}

    private static List<FaceSample> limit(
            List<FaceSample> all, DatasetSpec spec, Map<String, Integer> dropped) {
        if (spec.limit() == 0 || spec.limit() >= all.size()) {
            return all;
        }
        List<FaceSample> kept;
        if (spec.subsetSeed() == null) {
            kept = new ArrayList<>(all.subList(0, spec.limit()));
        } else {
            Integer[] idx = new Integer[all.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            List<Integer> order = Arrays.asList(idx);
            Collections.shuffle(order, new Random(spec.subsetSeed()));
            List<Integer> chosen = new ArrayList<>(order.subList(0, spec.limit()));
            Collections.sort(chosen);
            kept = new ArrayList<>(chosen.size());
            for (int i : chosen) {
                kept.add(all.get(i));
            }
        }
        dropped.merge("beyond limit " + spec.limit(), all.size() - kept.size(), Integer::sum);
        return kept;
    }

    // ---------------------------------------------------------------- AffectNet

    private static Loaded affectNet(
            DatasetSpec spec, List<String> classes, Map<String, Integer> dropped) {
        Path csv = affectNetCsv(spec);
        Path imageRoot = spec.imageRoot();
        if (imageRoot == null) {
            Path base = Files.isDirectory(spec.root()) ? spec.root() : csv.getParent();
            Path manual = base.resolve("Manually_Annotated_Images");
            imageRoot = Files.isDirectory(manual) ? manual : base;
        }
        Pattern subjectPattern =
                spec.subjectPattern() == null ? null : Pattern.compile(spec.subjectPattern());
        List<FaceSample> samples = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new DatasetException(csv + ": empty file, expected a header line");
            }
            List<String> names = Csv.split(stripBom(header));
            int cPath = column(csv, names, "subDirectory_filePath");
            int cX = column(csv, names, "face_x");
            int cY = column(csv, names, "face_y");
            int cW = column(csv, names, "face_width");
            int cH = column(csv, names, "face_height");
            int cExpr = column(csv, names, "expression");
            int cSubject =
                    spec.subjectColumn() == null ? -1 : column(csv, names, spec.subjectColumn());
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    List<String> f = Csv.split(line);
                    if (f.size() != names.size()) {
                        throw new RowException(
                                f.size() + " fields, the header has " + names.size());
                    }
                    int expr = intField(f, cExpr, "expression");
                    if (expr < 0) {
                        throw new RowException("expression " + expr + " is negative");
                    }
                    if (expr >= 8) {
                        dropped.merge("expression >= 8 (none/uncertain/no-face)", 1, Integer::sum);
                        continue;
                    }
                    String canonical = AFFECTNET_EXPRESSIONS.get(expr);
                    int label = classes.indexOf(canonical);
                    if (label < 0) {
                        dropped.merge(
                                canonical + " (not in " + classes.size() + "-class mode)",
                                1,
                                Integer::sum);
                        continue;
                    }
                    int[] box = {
                        intField(f, cX, "face_x"),
                        intField(f, cY, "face_y"),
                        intField(f, cW, "face_width"),
                        intField(f, cH, "face_height")
                    };
                    if (box[2] <= 0 || box[3] <= 0 || box[0] < 0 || box[1] < 0) {
                        throw new RowException(
                                "invalid face box "
                                        + Arrays.toString(box)
                                        + " (x, y >= 0 and width, height > 0 required)");
                    }
                    String rel = f.get(cPath).trim();
                    if (rel.isEmpty()) {
                        throw new RowException("empty subDirectory_filePath");
                    }
                    Path image = imageRoot.resolve(rel);
                    if (!Files.isRegularFile(image)) {
                        throw new RowException("image file not found: " + image);
                    }
                    String subject = cSubject >= 0 ? emptyToNull(f.get(cSubject)) : null;
                    if (subjectPattern != null) {
                        subject = subjectFromPath(subjectPattern, rel.replace('\\', '/'));
                    }
                    samples.add(new FaceSample(image, box, label, null, subject));
                } catch (RowException e) {
                    badRow(spec, dropped, csv, lineNo, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new DatasetException(csv + ": cannot read (" + e.getMessage() + ")", e);
        }
        return new Loaded("affectnet/" + csv.getFileName(), samples);
    }

    private static Path affectNetCsv(DatasetSpec spec) {
        Path root = spec.root();
        if (Files.isRegularFile(root)) {
            return root;
        }
        String split =
                spec.split() == null ? "train" : spec.split().trim().toLowerCase(Locale.ROOT);
        String file =
                switch (split) {
                    case "train", "training" -> "training.csv";
                    case "valid", "validation", "val" -> "validation.csv";
                    default ->
                            throw new DatasetException(
                                    "AffectNet split must be train or valid, not '"
                                            + spec.split()
                                            + "'");
                };
        for (Path p :
                List.of(
                        root.resolve(file),
                        root.resolve("Manually_Annotated_file_lists").resolve(file))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DatasetException(
                "AffectNet "
                        + file
                        + " not found in "
                        + root
                        + " or "
                        + root.resolve("Manually_Annotated_file_lists"));
    }

    // ---------------------------------------------------------------- FER+

    private static Loaded ferPlus(
            DatasetSpec spec, List<String> classes, Map<String, Integer> dropped) {
        if (spec.subjectColumn() != null) {
            throw new DatasetException(
                    "FER+ label.csv has no header, so no subject column; use a subject pattern");
        }
        Path dir = ferPlusDir(spec);
        Path csv = dir.resolve("label.csv");
        if (!Files.isRegularFile(csv)) {
            throw new DatasetException("FER+ label file not found: " + csv);
        }
        Pattern subjectPattern =
                spec.subjectPattern() == null ? null : Pattern.compile(spec.subjectPattern());
        boolean soft = spec.labelMode() == DatasetSpec.LabelMode.SOFT;
        // FER+ vote column -> index in our class list (-1: dropped in 7-class mode)
        int[] toClass = new int[8];
        for (int i = 0; i < 8; i++) {
            toClass[i] = classes.indexOf(FerPlusVotes.EMOTIONS.get(i));
        }
        List<FaceSample> samples = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo == 1) {
                    line = stripBom(line);
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    List<String> f = Csv.split(line);
                    if (f.size() != 12) {
                        throw new RowException(
                                f.size()
                                        + " fields, expected 12 (image name, \"(x, y, w, h)\", 10 vote counts)");
                    }
                    String name = f.get(0).trim();
                    if (name.isEmpty()) {
                        throw new RowException("empty image name");
                    }
                    Matcher m = FERPLUS_BOX.matcher(f.get(1).trim());
                    if (!m.matches()) {
                        throw new RowException(
                                "face box '" + f.get(1) + "' is not \"(x, y, w, h)\"");
                    }
                    int[] box = {
                        Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4))
                    };
                    int[] votes = new int[10];
                    for (int i = 0; i < 10; i++) {
                        votes[i] = intField(f, 2 + i, "vote " + (i + 1));
                        if (votes[i] < 0) {
                            throw new RowException("vote " + (i + 1) + " is negative");
                        }
                    }
                    int winner = FerPlusVotes.majority(votes);
                    if (winner < 0) {
                        dropped.merge(
                                "no majority / unknown / not-a-face (FER+ majority rule)",
                                1,
                                Integer::sum);
                        continue;
                    }
                    int label = toClass[winner];
                    if (label < 0) {
                        dropped.merge(
                                FerPlusVotes.EMOTIONS.get(winner)
                                        + " (not in "
                                        + classes.size()
                                        + "-class mode)",
                                1,
                                Integer::sum);
                        continue;
                    }
                    Path image = dir.resolve(name);
                    if (!Files.isRegularFile(image)) {
                        throw new RowException("image file not found: " + image);
                    }
                    float[] softLabel = null;
                    if (soft) {
                        float[] d = FerPlusVotes.distribution(votes);
                        softLabel = new float[classes.size()];
                        float sum = 0;
                        for (int i = 0; i < 8; i++) {
                            if (toClass[i] >= 0) {
                                softLabel[toClass[i]] = d[i];
                                sum += d[i];
                            }
                        }
                        for (int i = 0; i < softLabel.length; i++) {
                            softLabel[i] /=
                                    sum; // renormalise after dropping contempt in 7-class mode
                        }
                    }
                    String subject =
                            subjectPattern == null ? null : subjectFromPath(subjectPattern, name);
                    samples.add(new FaceSample(image, box, label, softLabel, subject));
                } catch (RowException e) {
                    badRow(spec, dropped, csv, lineNo, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new DatasetException(csv + ": cannot read (" + e.getMessage() + ")", e);
        }
        return new Loaded("ferplus/" + dir.getFileName(), samples);
    }

    private static Path ferPlusDir(DatasetSpec spec) {
        Path root = spec.root();
        if (Files.isRegularFile(root.resolve("label.csv")) && spec.split() == null) {
            return root;
        }
        String split =
                spec.split() == null ? "train" : spec.split().trim().toLowerCase(Locale.ROOT);
        String folder =
                switch (split) {
                    case "train", "training", "fer2013train" -> "FER2013Train";
                    case "valid", "validation", "val", "publictest", "fer2013valid" ->
                            "FER2013Valid";
                    case "test", "privatetest", "fer2013test" -> "FER2013Test";
                    default ->
                            throw new DatasetException(
                                    "FER+ split must be train, valid or test, not '"
                                            + spec.split()
                                            + "'");
                };
        for (Path p : List.of(root.resolve(folder), root.resolve("ferplus").resolve(folder))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new DatasetException(
                "FER+ folder "
                        + folder
                        + " not found in "
                        + root
                        + " or "
                        + root.resolve("ferplus"));
    }

    // ---------------------------------------------------------------- class-per-folder

    private static Loaded folder(
            DatasetSpec spec, List<String> classes, Map<String, Integer> dropped) {
        if (spec.subjectColumn() != null) {
            throw new DatasetException(
                    "a folder dataset has no CSV, so no subject column; use a subject pattern");
        }
        Path root = spec.root();
        if (spec.split() != null) {
            root = root.resolve(spec.split());
            if (!Files.isDirectory(root)) {
                throw new DatasetException("split folder not found: " + root);
            }
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetException("not a folder: " + root);
        }
        Pattern subjectPattern =
                spec.subjectPattern() == null ? null : Pattern.compile(spec.subjectPattern());
        TreeMap<String, Path> classDirs = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!Files.isDirectory(p) || n.startsWith(".")) {
                    continue;
                }
                String canonical = EmotionNames.canonical(n);
                if (canonical == null) {
                    unknown.add(n);
                } else {
                    classDirs.put(n, p);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(root + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (!unknown.isEmpty()) {
            throw new DatasetException(
                    root
                            + ": unknown class folder name(s) "
                            + unknown
                            + "; accepted (any case): "
                            + EmotionNames.accepted());
        }
        if (classDirs.isEmpty()) {
            throw new DatasetException(
                    root + ": no class folders (expected root/<class>/*.jpg, e.g. happy/, sad/)");
        }
        List<FaceSample> samples = new ArrayList<>();
        for (Map.Entry<String, Path> e : classDirs.entrySet()) {
            String canonical = EmotionNames.canonical(e.getKey());
            int label = classes.indexOf(canonical);
            List<Path> files;
            try (Stream<Path> s = Files.walk(e.getValue(), FileVisitOption.FOLLOW_LINKS)) {
                files =
                        s.filter(Files::isRegularFile)
                                .filter(Images::hasImageExtension)
                                .sorted()
                                .toList();
            } catch (IOException | UncheckedIOException ex) {
                throw new DatasetException(
                        e.getValue() + ": cannot list (" + ex.getMessage() + ")", ex);
            }
            if (label < 0) {
                dropped.merge(
                        canonical + " (not in " + classes.size() + "-class mode)",
                        files.size(),
                        Integer::sum);
                continue;
            }
            for (Path f : files) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                String subject = null;
                if (subjectPattern != null) {
                    try {
                        subject = subjectFromPath(subjectPattern, rel);
                    } catch (RowException ex) {
                        if (!spec.skipBadRows()) {
                            throw new DatasetException(
                                    f
                                            + ": "
                                            + ex.getMessage()
                                            + " (or skip such files with skipBadRows)");
                        }
                        dropped.merge("subject pattern did not match", 1, Integer::sum);
                        continue;
                    }
                }
                samples.add(new FaceSample(f, null, label, null, subject));
            }
        }
        return new Loaded("folder/" + root.getFileName(), samples);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A problem with one row; becomes an error naming file and line, or a count with skipBadRows.
     */
    private static final class RowException extends Exception {
        RowException(String message) {
            super(message, null, false, false);
        }
    }

    private static void badRow(
            DatasetSpec spec, Map<String, Integer> dropped, Path csv, int lineNo, String why) {
        if (!spec.skipBadRows()) {
            throw new DatasetException(
                    csv
                            + " line "
                            + lineNo
                            + ": "
                            + why
                            + " (fix the row, or skip bad rows with skipBadRows / --skip-bad-rows)");
        }
        dropped.merge(
                why.startsWith("image file not found") ? "missing image file" : "malformed row",
                1,
                Integer::sum);
    }

    private static int column(Path csv, List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new DatasetException(
                csv + " line 1: no column '" + name + "' in the header " + header);
    }

    private static int intField(List<String> f, int i, String what) throws RowException {
        String s = f.get(i).trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            // AffectNet has float-looking box values in some copies ("12.0")
            try {
                double d = Double.parseDouble(s);
                if (d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE) {
                    return (int) d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new RowException(what + " '" + s + "' is not a whole number");
        }
    }

    private static String subjectFromPath(Pattern p, String relPath) throws RowException {
        Matcher m = p.matcher(relPath);
        if (!m.find() || m.group(1) == null || m.group(1).isEmpty()) {
            throw new RowException(
                    "subject pattern '" + p.pattern() + "' does not match '" + relPath + "'");
        }
        return m.group(1);
    }

    private static String emptyToNull(String s) {
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    /**
     * Minimal RFC 4180 line splitter (quoted fields, "" escapes); rows never span lines in these
     * datasets.
     */
    static final class Csv {
        private Csv() {}

        static List<String> split(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        cur.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            out.add(cur.toString());
            return out;
        }
    }
}
