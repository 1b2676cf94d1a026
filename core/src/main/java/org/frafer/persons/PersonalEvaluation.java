package org.frafer.persons;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.frafer.data.EmotionNames;
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.data.NaturalOrder;
import org.frafer.infer.EmotionRecognizer;

/**
 * Per-person evaluation of personalisation (issue 16), on photos of known people with emotion
 * labels.
 *
 * <p>Every photo goes through the product pipeline (decode, detect, crop, classify, FR descriptor);
 * a photo without a detected face is left out and counted; with several faces the most confident
 * detection is used. Each person's <i>scored</i> photos are their labelled photos minus the neutral
 * enrolment photo, the same set for every mode, so the modes are paired:
 *
 * <ul>
 *   <li>{@code baseline}: the model's own answer;
 *   <li>{@code neutral}: everyone's enrolment photo (Yale: {@code normal}) in one store; each
 *       scored face is matched by identity against all profiles and personalised by the match
 *       (unmatched = baseline);
 *   <li>{@code few-shot}: leave one out: for each scored face, its person's profile holds all their
 *       other labelled photos with labels (the other people's profiles hold all of theirs); matched
 *       as above;
 *   <li>{@code auto}: no enrolment: all faces of the set grouped by identity, each group re-centred
 *       on its median output.
 * </ul>
 *
 * No profile ever holds the face being scored.
 */
public final class PersonalEvaluation {
    private PersonalEvaluation() {}

    public static final List<String> MODES = List.of("baseline", "neutral", "few-shot", "auto");

    /**
     * A photo of a known person; {@code label} null = unlabelled (used only by automatic mode);
     * {@code enrol}: the neutral enrolment photo.
     */
    public record Item(Path file, String person, String label, boolean enrol) {}

    /** A photo after the pipeline. */
    public record Face(Item item, float[] logProbs, float[] identity) {}

    /**
     * Per person: balanced accuracy (mean recall over the classes among their scored faces) per
     * mode.
     */
    public record PersonResult(String person, int scored, Map<String, Double> balancedAccuracy) {}

    public record ModeSummary(
            String mode,
            double meanBalancedAccuracy,
            double sdBalancedAccuracy,
            double minBalancedAccuracy,
            double maxBalancedAccuracy,
            double pooledAccuracy,
            double pooledBalancedAccuracy,
            int helped,
            int hurt,
            int same,
            int matchedSelf,
            int matchedOther,
            int unmatched,
            Map<String, Double> pooledRecall) {}

    public record Result(
            String name,
            int photos,
            int noFace,
            int people,
            int scoredFaces,
            List<PersonResult> persons,
            List<ModeSummary> modes,
            int autoGroups,
            double autoPurity,
            List<String> classes,
            List<ScoredFace> faces) {}

    /** One scored face: its file, true label and the label each mode gives. */
    public record ScoredFace(
            String file, String person, String truth, Map<String, String> predicted) {}

    // ---------------------------------------------------------------- data sets

    private static final Map<String, String> YALE_LABELS =
            Map.of(
                    "happy",
                    "Happiness",
                    "sad",
                    "Sadness",
                    "surprised",
                    "Surprise",
                    "normal",
                    "Neutral",
                    "noglasses",
                    "Neutral",
                    "glasses",
                    "Neutral",
                    "centerlight",
                    "Neutral",
                    "leftlight",
                    "Neutral",
                    "rightlight",
                    "Neutral");

    /**
     * Yale faces: {@code subjectNN.CONDITION}; sleepy and wink are unlabelled (not one of the
     * classes); enrol from {@code normal}.
     */
    public static List<Item> yale(Path root) throws IOException {
        List<Item> out = new ArrayList<>();
        Pattern p = Pattern.compile("(subject\\d+)\\.([a-z]+)");
        try (Stream<Path> s = Files.list(root)) {
            for (Path f : s.sorted(NaturalOrder.PATHS).toList()) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    out.add(
                            new Item(
                                    f,
                                    m.group(1),
                                    YALE_LABELS.get(m.group(2)),
                                    m.group(2).equals("normal")));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(
                    root + ": no subjectNN.CONDITION files (the Yale face database layout)");
        }
        return out;
    }

    /**
     * facial_expressions: identity from the file name (before {@code _NNNN}, or before the trailing
     * digits), labels from legend.csv (case folded); people with at least {@code minImages}
     * labelled photos including Neutral and another emotion. The first Neutral photo (name order)
     * is the enrolment photo.
     */
    public static List<Item> facialExpressions(Path root, int minImages) throws IOException {
        return facialExpressions(root, minImages, 0, 0, 0);
    }

    /**
     * As {@link #facialExpressions(Path, int)}, on a sample to bound the time: {@code maxPeople}
     * people drawn with {@code seed} (0 = all), each with at most {@code maxPerPerson} photos (0 =
     * all): the enrolment photo, then their other emotions, then more Neutral photos, each in name
     * order.
     */
    public static List<Item> facialExpressions(
            Path root, int minImages, int maxPeople, int maxPerPerson, long seed)
            throws IOException {
        List<Item> all = facialExpressionsAll(root, minImages);
        Map<String, List<Item>> byPerson = new TreeMap<>();
        all.forEach(i -> byPerson.computeIfAbsent(i.person(), k -> new ArrayList<>()).add(i));
        List<String> people = new ArrayList<>(byPerson.keySet());
        if (maxPeople > 0 && maxPeople < people.size()) {
            java.util.Collections.shuffle(people, new java.util.Random(seed));
            people = new ArrayList<>(people.subList(0, maxPeople));
            people.sort(null);
        }
        List<Item> out = new ArrayList<>();
        for (String p : people) {
            List<Item> items = byPerson.get(p);
            if (maxPerPerson > 0 && items.size() > maxPerPerson) {
                List<Item> ordered = new ArrayList<>();
                items.stream().filter(Item::enrol).forEach(ordered::add);
                items.stream()
                        .filter(i -> !i.enrol() && !"Neutral".equals(i.label()))
                        .forEach(ordered::add);
                items.stream()
                        .filter(i -> !i.enrol() && "Neutral".equals(i.label()))
                        .forEach(ordered::add);
                items = ordered.subList(0, maxPerPerson);
            }
            out.addAll(items);
        }
        return out;
    }

    private static List<Item> facialExpressionsAll(Path root, int minImages) throws IOException {
        Path legend = root.resolve("legend.csv");
        Path images = root.resolve("images");
        if (!Files.isRegularFile(legend) || !Files.isDirectory(images)) {
            throw new IOException(
                    root + ": expected legend.csv and images/ (the facial_expressions layout)");
        }
        Map<String, List<String[]>> byPerson = new TreeMap<>();
        Pattern lfw = Pattern.compile("(.+)_\\d+");
        Pattern imfdb = Pattern.compile("(.+?)\\d+");
        List<String> lines = Files.readAllLines(legend);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            if (c.length < 3) {
                continue;
            }
            String label = EmotionNames.canonical(c[2]);
            String stem = c[1].replaceFirst("\\.[^.]+$", "");
            Matcher m = lfw.matcher(stem);
            Matcher m2 = imfdb.matcher(stem);
            String person = m.matches() ? m.group(1) : m2.matches() ? m2.group(1) : stem;
            if (label != null && Files.isRegularFile(images.resolve(c[1]))) {
                byPerson.computeIfAbsent(person, k -> new ArrayList<>())
                        .add(new String[] {c[1], label});
            }
        }
        List<Item> out = new ArrayList<>();
        for (Map.Entry<String, List<String[]>> e : byPerson.entrySet()) {
            List<String[]> rows = new ArrayList<>(e.getValue());
            rows.sort(Comparator.comparing((String[] r) -> NaturalOrder.key(r[0])));
            boolean neutral = rows.stream().anyMatch(r -> r[1].equals("Neutral"));
            boolean other = rows.stream().anyMatch(r -> !r[1].equals("Neutral"));
            if (rows.size() < minImages || !neutral || !other) {
                continue;
            }
            boolean enrolled = false;
            for (String[] r : rows) {
                boolean enrol = !enrolled && r[1].equals("Neutral");
                enrolled |= enrol;
                out.add(new Item(images.resolve(r[0]), e.getKey(), r[1], enrol));
            }
        }
        return out;
    }

    /** Photos of ORL-style identity folders (s1/1.pgm ...), unlabelled: for identity checks. */
    public static List<Item> identityFolders(Path root) throws IOException {
        List<Item> out = new ArrayList<>();
        for (List<Path> person : org.frafer.faces.IdentificationEval.listIdentities(root, 0)) {
            for (Path f : person) {
                out.add(new Item(f, f.getParent().getFileName().toString(), null, false));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- pipeline

    /**
     * Runs every photo through the recognizer; a photo with no face is reported to {@code noFace}
     * and left out.
     */
    public static List<Face> analyse(
            PersonalRecognition p,
            EmotionRecognizer r,
            List<Item> items,
            Consumer<Item> noFace,
            Runnable step) {
        List<Face> out = new ArrayList<>();
        for (Item it : items) {
            BufferedImage img;
            try {
                img = Images.read(it.file(), r.options().maxPixels());
            } catch (ImageReadException e) {
                noFace.accept(it);
                step.run();
                continue;
            }
            Optional<AnalysedFace> best =
                    p.analyse(img).stream().max(Comparator.comparingDouble(f -> f.face().score()));
            if (best.isEmpty()) {
                noFace.accept(it);
            } else {
                out.add(
                        new Face(
                                it,
                                Personalizer.logProbs(best.get().probabilities()),
                                best.get().identity()));
            }
            step.run();
        }
        return out;
    }

    /** Verification over every pair of faces (same person = genuine). */
    public static VerificationRates verification(List<Face> faces) {
        Map<String, Integer> ids = new HashMap<>();
        int[] person = new int[faces.size()];
        float[][] d = new float[faces.size()][];
        for (int i = 0; i < d.length; i++) {
            d[i] = faces.get(i).identity();
            person[i] = ids.computeIfAbsent(faces.get(i).item().person(), k -> ids.size());
        }
        return new VerificationRates(d, person);
    }

    // ---------------------------------------------------------------- protocol

    public static Result evaluate(
            String name,
            int photos,
            int noFace,
            List<Face> faces,
            Personalizer pz,
            double threshold) {
        List<String> classes = pz.classes();
        Map<String, List<Integer>> byPerson = new LinkedHashMap<>();
        for (int i = 0; i < faces.size(); i++) {
            byPerson.computeIfAbsent(faces.get(i).item().person(), k -> new ArrayList<>()).add(i);
        }
        // neutral-baseline profiles: each person's enrolment face; few-shot profiles: all their
        // labelled faces
        Map<String, PersonProfile> neutralProfiles = new LinkedHashMap<>();
        Map<String, PersonProfile> fullProfiles = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : byPerson.entrySet()) {
            List<PersonProfile.Sample> enrol = new ArrayList<>();
            List<PersonProfile.Sample> all = new ArrayList<>();
            for (int i : e.getValue()) {
                Face f = faces.get(i);
                if (f.item().label() == null) {
                    continue;
                }
                PersonProfile.Sample s = sample(f);
                all.add(s);
                if (f.item().enrol()) {
                    enrol.add(s);
                }
            }
            if (!enrol.isEmpty()) {
                neutralProfiles.put(e.getKey(), profile(e.getKey(), classes, enrol));
            }
            if (!all.isEmpty()) {
                fullProfiles.put(e.getKey(), profile(e.getKey(), classes, all));
            }
        }
        IdentityMatcher neutralMatcher =
                new IdentityMatcher(List.copyOf(neutralProfiles.values()), threshold);
        Map<String, Personalizer.Adjustment> neutralAdj = new HashMap<>();
        neutralProfiles.forEach((k, p) -> neutralAdj.put(k, pz.forProfile(p)));
        Map<String, Personalizer.Adjustment> fullAdj = new HashMap<>();
        fullProfiles.forEach((k, p) -> fullAdj.put(k, pz.forProfile(p)));

        // automatic: groups over every face of the set, labelled or not
        float[][] ids = faces.stream().map(Face::identity).toArray(float[][]::new);
        int[] group = IdentityClusters.of(ids, threshold);
        Map<Integer, List<Integer>> members = new HashMap<>();
        for (int i = 0; i < group.length; i++) {
            members.computeIfAbsent(group[i], k -> new ArrayList<>()).add(i);
        }
        Map<Integer, Personalizer.Adjustment> autoAdj = new HashMap<>();
        members.forEach(
                (g, m) ->
                        autoAdj.put(
                                g,
                                pz.forGroup(
                                        m.stream().map(i -> faces.get(i).logProbs()).toList())));
        int pure = 0;
        for (List<Integer> m : members.values()) {
            Map<String, Integer> c = new HashMap<>();
            m.forEach(i -> c.merge(faces.get(i).item().person(), 1, Integer::sum));
            pure += c.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        Map<String, int[]> matchCounts = new HashMap<>(); // mode -> {self, other, none}
        Map<String, int[][]> pooled = new HashMap<>(); // mode -> confusion [true][pred]
        for (String m : MODES) {
            matchCounts.put(m, new int[3]);
            pooled.put(m, new int[classes.size()][classes.size()]);
        }
        List<PersonResult> persons = new ArrayList<>();
        List<ScoredFace> scoredFaces = new ArrayList<>();
        int scoredTotal = 0;
        for (Map.Entry<String, List<Integer>> e : byPerson.entrySet()) {
            String person = e.getKey();
            List<Integer> scored =
                    e.getValue().stream()
                            .filter(
                                    i ->
                                            faces.get(i).item().label() != null
                                                    && !faces.get(i).item().enrol())
                            .toList();
            if (scored.isEmpty() || !neutralProfiles.containsKey(person)) {
                continue; // no enrolment face detected, or nothing to score
            }
            Map<String, int[][]> conf = new HashMap<>();
            for (String m : MODES) {
                conf.put(m, new int[classes.size()][classes.size()]);
            }
            for (int i : scored) {
                Face f = faces.get(i);
                int truth = classes.indexOf(f.item().label());
                Map<String, float[]> preds = new HashMap<>();
                preds.put("baseline", Personalizer.softmax(f.logProbs()));
                // neutral baseline: matched against everyone's enrolment face
                preds.put(
                        "neutral",
                        matched(
                                "neutral",
                                neutralMatcher.match(f.identity()),
                                person,
                                f,
                                neutralAdj::get,
                                matchCounts));
                // few-shot: the person's own profile without this face
                List<PersonProfile.Sample> others = new ArrayList<>();
                for (int j : e.getValue()) {
                    if (j != i && faces.get(j).item().label() != null) {
                        others.add(sample(faces.get(j)));
                    }
                }
                List<PersonProfile> gallery = new ArrayList<>();
                fullProfiles.forEach(
                        (k, p) -> {
                            if (!k.equals(person)) {
                                gallery.add(p);
                            }
                        });
                PersonProfile own = others.isEmpty() ? null : profile(person, classes, others);
                if (own != null) {
                    gallery.add(own);
                }
                Optional<IdentityMatcher.Match> fm =
                        new IdentityMatcher(gallery, threshold).match(f.identity());
                preds.put(
                        "few-shot",
                        matched(
                                "few-shot",
                                fm,
                                person,
                                f,
                                k -> k.equals(person) ? pz.forProfile(own) : fullAdj.get(k),
                                matchCounts));
                Personalizer.Adjustment a = autoAdj.get(group[i]);
                preds.put("auto", a.apply(f.logProbs()));
                matchCounts.get("auto")[a.mode().equals("none") ? 2 : 0]++;
                Map<String, String> labels = new LinkedHashMap<>();
                for (String m : MODES) {
                    int pred = argmax(preds.get(m));
                    conf.get(m)[truth][pred]++;
                    pooled.get(m)[truth][pred]++;
                    labels.put(m, classes.get(pred));
                }
                scoredFaces.add(
                        new ScoredFace(
                                f.item().file().getFileName().toString(),
                                person,
                                f.item().label(),
                                labels));
            }
            scoredTotal += scored.size();
            Map<String, Double> ba = new LinkedHashMap<>();
            for (String m : MODES) {
                ba.put(m, balancedAccuracy(conf.get(m)));
            }
            persons.add(new PersonResult(person, scored.size(), ba));
        }
        List<ModeSummary> modes = new ArrayList<>();
        for (String m : MODES) {
            double[] v = persons.stream().mapToDouble(p -> p.balancedAccuracy().get(m)).toArray();
            double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
            double sd =
                    Math.sqrt(
                            java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum()
                                    / Math.max(1, v.length - 1));
            int helped = 0;
            int hurt = 0;
            for (PersonResult p : persons) {
                double d = p.balancedAccuracy().get(m) - p.balancedAccuracy().get("baseline");
                if (d > 1e-9) {
                    helped++;
                } else if (d < -1e-9) {
                    hurt++;
                }
            }
            int[][] c = pooled.get(m);
            int[] mc = m.equals("baseline") ? new int[] {0, 0, scoredTotal} : matchCounts.get(m);
            modes.add(
                    new ModeSummary(
                            m,
                            mean,
                            sd,
                            java.util.Arrays.stream(v).min().orElse(Double.NaN),
                            java.util.Arrays.stream(v).max().orElse(Double.NaN),
                            accuracy(c),
                            balancedAccuracy(c),
                            helped,
                            hurt,
                            persons.size() - helped - hurt,
                            mc[0],
                            mc[1],
                            mc[2],
                            recalls(c, classes)));
        }
        return new Result(
                name,
                photos,
                noFace,
                persons.size(),
                scoredTotal,
                persons,
                modes,
                members.size(),
                faces.isEmpty() ? 0 : pure / (double) faces.size(),
                classes,
                scoredFaces);
    }

    private static float[] matched(
            String mode,
            Optional<IdentityMatcher.Match> m,
            String person,
            Face f,
            java.util.function.Function<String, Personalizer.Adjustment> adj,
            Map<String, int[]> counts) {
        if (m.isEmpty()) {
            counts.get(mode)[2]++;
            return Personalizer.softmax(f.logProbs());
        }
        counts.get(mode)[m.get().person().equals(person) ? 0 : 1]++;
        return adj.apply(m.get().person()).apply(f.logProbs());
    }

    private static PersonProfile.Sample sample(Face f) {
        return new PersonProfile.Sample(
                f.item().label(),
                f.item().file().getFileName().toString(),
                f.identity(),
                f.logProbs());
    }

    private static PersonProfile profile(
            String id, List<String> classes, List<PersonProfile.Sample> samples) {
        return new PersonProfile(id, "eval", "eval", classes, samples, null, null);
    }

    static int argmax(float[] p) {
        int b = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[b]) {
                b = i;
            }
        }
        return b;
    }

    /** Mean recall over the classes that have at least one true sample. */
    static double balancedAccuracy(int[][] c) {
        double sum = 0;
        int n = 0;
        for (int t = 0; t < c.length; t++) {
            int row = java.util.Arrays.stream(c[t]).sum();
            if (row > 0) {
                sum += c[t][t] / (double) row;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    static Map<String, Double> recalls(int[][] c, List<String> classes) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int t = 0; t < c.length; t++) {
            int row = java.util.Arrays.stream(c[t]).sum();
            if (row > 0) {
                m.put(classes.get(t), c[t][t] / (double) row);
            }
        }
        return m;
    }

    static double accuracy(int[][] c) {
        long ok = 0;
        long all = 0;
        for (int t = 0; t < c.length; t++) {
            ok += c[t][t];
            all += java.util.Arrays.stream(c[t]).sum();
        }
        return all == 0 ? Double.NaN : ok / (double) all;
    }

    /** The per-mode summary as a fixed-width table. */
    public static String table(Result r) {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "%s: %d photos, %d without a detected face (left out), %d people scored, %d scored faces; "
                                + "automatic mode found %d identity groups (purity %.3f)%n",
                        r.name(),
                        r.photos(),
                        r.noFace(),
                        r.people(),
                        r.scoredFaces(),
                        r.autoGroups(),
                        r.autoPurity()));
        s.append(
                String.format(
                        Locale.ROOT,
                        "%-9s %9s %6s %6s %6s %9s %9s %7s %5s %5s %18s%n",
                        "mode",
                        "mean BA",
                        "sd",
                        "min",
                        "max",
                        "pooled A",
                        "pooled BA",
                        "helped",
                        "hurt",
                        "same",
                        "match self/other/none"));
        for (ModeSummary m : r.modes()) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%-9s %8.1f%% %6.1f %6.1f %6.1f %8.1f%% %8.1f%% %7d %5d %5d %8d/%d/%d%n",
                            m.mode(),
                            100 * m.meanBalancedAccuracy(),
                            100 * m.sdBalancedAccuracy(),
                            100 * m.minBalancedAccuracy(),
                            100 * m.maxBalancedAccuracy(),
                            100 * m.pooledAccuracy(),
                            100 * m.pooledBalancedAccuracy(),
                            m.helped(),
                            m.hurt(),
                            m.same(),
                            m.matchedSelf(),
                            m.matchedOther(),
                            m.unmatched()));
        }
        s.append("pooled recall per class:\n");
        for (ModeSummary m : r.modes()) {
            s.append(String.format(Locale.ROOT, "%-9s", m.mode()));
            m.pooledRecall()
                    .forEach(
                            (k, v) ->
                                    s.append(String.format(Locale.ROOT, " %s %.1f%%", k, 100 * v)));
            s.append('\n');
        }
        return s.toString();
    }

    /** One line per person: scored faces and balanced accuracy per mode. */
    public static String perPerson(Result r) {
        StringBuilder s =
                new StringBuilder(String.format(Locale.ROOT, "%-24s %6s", "person", "scored"));
        MODES.forEach(m -> s.append(String.format(Locale.ROOT, " %9s", m)));
        s.append('\n');
        for (PersonResult p : r.persons()) {
            s.append(String.format(Locale.ROOT, "%-24s %6d", p.person(), p.scored()));
            MODES.forEach(
                    m ->
                            s.append(
                                    String.format(
                                            Locale.ROOT,
                                            " %8.1f%%",
                                            100 * p.balancedAccuracy().get(m))));
            s.append('\n');
        }
        return s.toString();
    }
}
