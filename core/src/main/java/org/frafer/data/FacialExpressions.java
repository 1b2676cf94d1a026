package org.frafer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code facial_expressions} set (LFW and IMFDB faces, one crowd label each): {@code
 * root/legend.csv} ({@code user.id,image,emotion}) and {@code root/images/}. Labels are case-folded
 * and mapped to {@link EmotionClasses}; the person comes from the file name (everything before the
 * trailing {@code _NNNN} of LFW or digits of IMFDB, e.g. {@code George_W_Bush_0001.jpg} and {@code
 * HrithikRoshan_12.jpg}); a name without trailing digits is its own person. The images are face
 * crops: the whole image is the face. Splits are person-disjoint ({@link SubjectSplit}). An image
 * listed twice with the same label is read once; with different labels it is left out.
 */
final class FacialExpressions {
    private static final Pattern PERSON = Pattern.compile("^(.+?)[_\\-]?\\d+$");

    private FacialExpressions() {}

    /** The person id of an image file name. */
    static String person(String fileName) {
        String stem = fileName.replaceFirst("\\.[^.]+$", "");
        Matcher m = PERSON.matcher(stem);
        return m.matches() ? m.group(1) : stem;
    }

    static List<FaceSample> read(
            DatasetSpec spec, List<String> classes, Map<String, Integer> dropped) {
        String split = SubjectSplit.parse(spec.split(), "facial-expressions");
        Path root = spec.root();
        Path csv = Files.isRegularFile(root) ? root : root.resolve("legend.csv");
        if (!Files.isRegularFile(csv)) {
            throw new DatasetException("facial-expressions legend.csv not found: " + csv);
        }
        Path images =
                spec.imageRoot() != null ? spec.imageRoot() : csv.getParent().resolve("images");
        if (!Files.isDirectory(images)) {
            throw new DatasetException(
                    "facial-expressions images folder not found: "
                            + images
                            + " (set an image root)");
        }
        // image name -> label (canonical name), first line seen; null after a conflicting second
        // label
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new DatasetException(
                        csv + ": empty file, expected the header user.id,image,emotion");
            }
            List<String> names = Datasets.Csv.split(header.replaceFirst("^\uFEFF", ""));
            int cImage = indexOf(csv, names, "image");
            int cEmotion = indexOf(csv, names, "emotion");
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = Datasets.Csv.split(line);
                if (f.size() != names.size()) {
                    bad(
                            spec,
                            dropped,
                            csv,
                            lineNo,
                            f.size() + " fields, the header has " + names.size(),
                            "malformed row");
                    continue;
                }
                String image = f.get(cImage).trim();
                String emotion = f.get(cEmotion).trim();
                String canonical = EmotionNames.canonical(emotion);
                if (image.isEmpty() || canonical == null) {
                    bad(
                            spec,
                            dropped,
                            csv,
                            lineNo,
                            image.isEmpty()
                                    ? "empty image name"
                                    : "unknown emotion '"
                                            + emotion
                                            + "' (accepted, any case: "
                                            + EmotionNames.accepted()
                                            + ")",
                            "malformed row");
                    continue;
                }
                if (!labels.containsKey(image)) {
                    labels.put(image, canonical);
                    lineOf.put(image, lineNo);
                } else if (labels.get(image) != null && !labels.get(image).equals(canonical)) {
                    labels.put(image, null);
                    dropped.merge("listed twice with different labels", 2, Integer::sum);
                } else if (labels.get(image) != null) {
                    dropped.merge("listed twice with the same label (kept once)", 1, Integer::sum);
                } else {
                    dropped.merge("listed twice with different labels", 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(csv + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<FaceSample> samples = new ArrayList<>();
        Map<String, Integer> perPerson = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            perPerson.merge(person(e.getKey()), 1, Integer::sum);
            int label = classes.indexOf(e.getValue());
            if (label < 0) {
                dropped.merge(
                        e.getValue() + " (not in " + classes.size() + "-class mode)",
                        1,
                        Integer::sum);
                continue;
            }
            Path image = images.resolve(e.getKey());
            if (!Files.isRegularFile(image)) {
                bad(
                        spec,
                        dropped,
                        csv,
                        lineOf.get(e.getKey()),
                        "image file not found: " + image,
                        "missing image file");
                continue;
            }
            String person = person(e.getKey());
            samples.add(new FaceSample(image, null, label, null, person));
        }
        return SubjectSplit.select(samples, split, perPerson);
    }

    private static int indexOf(Path csv, List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new DatasetException(
                csv + " line 1: no column '" + name + "' in the header " + header);
    }

    private static void bad(
            DatasetSpec spec,
            Map<String, Integer> dropped,
            Path csv,
            int lineNo,
            String why,
            String reason) {
        if (!spec.skipBadRows()) {
            throw new DatasetException(
                    csv
                            + " line "
                            + lineNo
                            + ": "
                            + why
                            + " (fix the row, or skip bad rows with skipBadRows / --skip-bad-rows)");
        }
        dropped.merge(reason, 1, Integer::sum);
    }
}
