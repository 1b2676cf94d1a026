package org.frafer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.frafer.data.DatasetSpec;
import org.frafer.data.Datasets;
import org.frafer.data.FaceSample;
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.data.LoadedDataset;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceEmotion;
import org.frafer.io.AtomicFiles;
import org.frafer.persons.IdentityMatcher;
import org.frafer.persons.NeutralReference;
import org.frafer.persons.PersonProfile;
import org.frafer.persons.PersonalEvaluation;
import org.frafer.persons.PersonalRecognition;
import org.frafer.persons.Personalizer;
import org.frafer.persons.PersonsException;
import org.frafer.persons.ProfileStore;
import org.frafer.persons.VerificationRates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fra-fer person}: enrol people, list and forget them, calibrate a model for
 * personalisation, evaluate it.
 */
@Command(
        name = "person",
        mixinStandardHelpOptions = true,
        description = {
            "Person profiles for personalised emotion recognition (biometric data: see the README's 'Person profiles').",
            "A profile holds, per enrolled photo, the face-identity descriptor and the emotion model's output; never the photo."
        },
        subcommands = {
            PersonCommand.Enrol.class,
            PersonCommand.ListPersons.class,
            PersonCommand.Forget.class,
            PersonCommand.Calibrate.class,
            PersonCommand.Evaluate.class
        })
public final class PersonCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Tests swap the identity encoder and neutral reference here; null in normal runs. */
    static java.util.function.BiFunction<EmotionRecognizer, Path, PersonalRecognition>
            personsForTests;

    /**
     * Person recognition on top of a recognizer built from these options (store may be null:
     * automatic mode).
     */
    static PersonalRecognition open(RecognizerOptions o, EmotionRecognizer r, Path store) {
        if (personsForTests != null) {
            return personsForTests.apply(r, store);
        }
        return PersonalRecognition.open(
                r, o.model != null ? o.model : DefaultModel.locate(), store);
    }

    static int fail(CommandSpec spec, String message, int code) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + message);
        err.flush();
        return code;
    }

    @Command(
            name = "enrol",
            mixinStandardHelpOptions = true,
            description = {
                "Adds photos of one person to their profile (created when new). Each photo must show exactly one face.",
                "Without --label the photos are the person's resting face (neutral baseline); with --label they show that emotion (few-shot).",
                "All photos are checked before the store is touched: when one fails, nothing is enrolled."
            },
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {
                "0:enrolled",
                "1:a photo or the store could not be used",
                "2:bad usage or no model"
            })
    static final class Enrol implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin RecognizerOptions recognizer;

        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description = "Person store folder (created owner-only when missing).")
        Path store;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "The person's name (letters, digits, space, '.', '_', '-').")
        String name;

        @Option(
                names = "--label",
                paramLabel = "EMOTION",
                description =
                        "The emotion the photos show (few-shot), e.g. happy; default: neutral baseline.")
        String label;

        @Parameters(
                arity = "1..*",
                paramLabel = "PHOTO",
                description = "Photos of the person, one face each.")
        List<Path> photos;

        @Override
        public Integer call() {
            EmotionRecognizer r;
            try {
                r = recognizer.builder().build();
            } catch (RuntimeException e) {
                return fail(spec, "cannot load the model: " + e.getMessage(), 2);
            }
            try (r;
                    PersonalRecognition pr = open(recognizer, r, store)) {
                PersonProfile p = pr.enrol(name, label, photos);
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "enrolled %d photo(s) of '%s' in %s (profile now: %s)%n",
                                photos.size(),
                                p.id(),
                                store,
                                p.labelCounts());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (PersonsException | ImageReadException e) {
                return fail(spec, e.getMessage(), 1);
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "The people of a store, with their enrolled photos per label.")
    static final class ListPersons implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description = "Person store folder.")
        Path store;

        @Override
        public Integer call() {
            try {
                List<PersonProfile> ps = ProfileStore.at(store).list();
                PrintWriter out = spec.commandLine().getOut();
                if (ps.isEmpty()) {
                    out.println("no one is enrolled in " + store);
                }
                for (PersonProfile p : ps) {
                    out.printf(
                            Locale.ROOT,
                            "%-24s %3d photo(s) %s  updated %s%n",
                            p.id(),
                            p.samples().size(),
                            p.labelCounts(),
                            p.updated());
                }
                out.flush();
                return 0;
            } catch (PersonsException e) {
                return fail(spec, e.getMessage(), 1);
            }
        }
    }

    @Command(
            name = "forget",
            mixinStandardHelpOptions = true,
            description = "Deletes people's profiles (their file in the store).",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {
                "0:deleted",
                "1:someone was not enrolled, or the store could not be used"
            })
    static final class Forget implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description = "Person store folder.")
        Path store;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "The people to forget.")
        List<String> names;

        @Override
        public Integer call() {
            int code = 0;
            try {
                ProfileStore s = ProfileStore.at(store);
                for (String n : names) {
                    if (s.forget(n)) {
                        spec.commandLine()
                                .getOut()
                                .println("forgot '" + n + "' (deleted " + s.fileOf(n) + ")");
                    } else {
                        code = fail(spec, "'" + n + "' is not enrolled in " + store, 1);
                    }
                }
                spec.commandLine().getOut().flush();
                return code;
            } catch (PersonsException e) {
                return fail(spec, e.getMessage(), 1);
            }
        }
    }

    @Command(
            name = "calibrate",
            mixinStandardHelpOptions = true,
            description = {
                "Computes a model's neutral reference ("
                        + NeutralReference.FILE
                        + " in the model folder): its mean output over",
                "the FER+ faces whose majority label is Neutral. Personalisation moves each person's resting face onto it."
            })
    static final class Calibrate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--model",
                paramLabel = "DIR",
                description = "Model folder; default: models/default.")
        Path model;

        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "FER+ root (FER2013Train|Valid|Test with label.csv).")
        Path data;

        @Option(
                names = "--split",
                defaultValue = "valid",
                description =
                        "FER+ split (default ${DEFAULT-VALUE}; select on valid, report on test).")
        String split;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "Where to write (default: MODEL/" + NeutralReference.FILE + ").")
        Path out;

        @Override
        public Integer call() throws IOException {
            Path dir;
            try {
                dir = model != null ? DefaultModel.check(model) : DefaultModel.locate();
            } catch (RuntimeException e) {
                return fail(spec, e.getMessage(), 2);
            }
            LoadedDataset ds;
            try {
                ds =
                        Datasets.open(
                                DatasetSpec.of(DatasetSpec.Format.FERPLUS, data).withSplit(split));
            } catch (RuntimeException e) {
                return fail(spec, e.getMessage(), 1);
            }
            int neutral = ds.classes().indexOf("Neutral");
            List<Path> files =
                    ds.samples().stream()
                            .filter(s -> s.label() == neutral)
                            .map(FaceSample::image)
                            .toList();
            try (EmotionRecognizer r = EmotionRecognizer.builder().model(dir).build()) {
                List<float[]> lps = new ArrayList<>();
                for (int start = 0; start < files.size(); start += 64) {
                    List<java.awt.image.BufferedImage> imgs = new ArrayList<>();
                    for (Path f : files.subList(start, Math.min(files.size(), start + 64))) {
                        imgs.add(Images.read(f));
                    }
                    for (FaceEmotion e : r.predictFaces(imgs)) {
                        lps.add(Personalizer.logProbs(e.probabilities()));
                    }
                }
                NeutralReference ref =
                        NeutralReference.of(
                                r.classes(),
                                lps,
                                "FER+ "
                                        + split
                                        + ", faces with majority label Neutral (whole 48x48 images)");
                Path target = out != null ? out : dir.resolve(NeutralReference.FILE);
                ref.write(target);
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "wrote %s from %d neutral faces: %s%n",
                                target,
                                lps.size(),
                                java.util.Arrays.toString(ref.neutral()));
                return 0;
            } catch (ImageReadException e) {
                return fail(spec, e.getMessage(), 1);
            }
        }
    }

    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Per-person evaluation of personalisation (baseline, neutral, few-shot, auto) on Yale faces and/or",
                "facial_expressions, and identity verification (FAR/FRR) on Yale and ORL. See docs/experiments/persons.md."
            })
    static final class Evaluate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin RecognizerOptions recognizer;

        @Option(
                names = "--yale",
                paramLabel = "DIR",
                description = "Yale face database folder (subjectNN.CONDITION files).")
        Path yale;

        @Option(
                names = "--facial-expressions",
                paramLabel = "DIR",
                description = "facial_expressions folder (legend.csv + images/).")
        Path facialExpressions;

        @Option(
                names = "--min-images",
                defaultValue = "5",
                description =
                        "facial_expressions: people with at least this many labelled photos (default ${DEFAULT-VALUE}).")
        int minImages;

        @Option(
                names = "--max-people",
                defaultValue = "0",
                description =
                        "facial_expressions: a seeded sample of this many people (0 = all; default ${DEFAULT-VALUE}).")
        int maxPeople;

        @Option(
                names = "--max-per-person",
                defaultValue = "0",
                description =
                        "facial_expressions: at most this many photos per person: the enrolment photo, other emotions, then Neutral (0 = all).")
        int maxPerPerson;

        @Option(
                names = "--seed",
                defaultValue = "16",
                description = "Seed of --max-people (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--orl",
                paramLabel = "DIR",
                description = "ORL faces (s1..s40): identity verification only.")
        Path orl;

        @Option(
                names = "--threshold",
                paramLabel = "COS",
                description =
                        "Identity threshold (default: " + IdentityMatcher.DEFAULT_THRESHOLD + ").")
        Double threshold;

        @Option(
                names = "--per-person",
                description = "Also print each person's balanced accuracy per mode.")
        boolean perPerson;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "Write every figure as JSON here.")
        Path out;

        @Option(
                names = "--dump-faces",
                paramLabel = "FILE",
                description =
                        "Also write each analysed face (file, person, label, log-probabilities) as JSON lines.")
        Path dumpFaces;

        @Override
        public Integer call() throws IOException {
            if (yale == null && facialExpressions == null && orl == null) {
                return fail(spec, "give --yale, --facial-expressions and/or --orl", 2);
            }
            double t = threshold != null ? threshold : IdentityMatcher.DEFAULT_THRESHOLD;
            PrintWriter o = spec.commandLine().getOut();
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("threshold", t);
            EmotionRecognizer r;
            try {
                r = recognizer.builder().build();
            } catch (RuntimeException e) {
                return fail(spec, "cannot load the model: " + e.getMessage(), 2);
            }
            try (r;
                    PersonalRecognition pr = open(recognizer, r, null)) {
                Personalizer pz = null;
                List<PersonalEvaluation.Face> all = new ArrayList<>();
                Map<String, List<PersonalEvaluation.Face>> sets = new LinkedHashMap<>();
                Map<String, Integer> photos = new LinkedHashMap<>();
                Map<String, List<String>> noFace = new LinkedHashMap<>();
                Map<String, List<PersonalEvaluation.Item>> inputs = new LinkedHashMap<>();
                if (yale != null) {
                    inputs.put("yale", PersonalEvaluation.yale(yale));
                }
                if (orl != null) {
                    inputs.put("orl", PersonalEvaluation.identityFolders(orl));
                }
                if (facialExpressions != null) {
                    inputs.put(
                            "facial_expressions",
                            PersonalEvaluation.facialExpressions(
                                    facialExpressions, minImages, maxPeople, maxPerPerson, seed));
                }
                for (Map.Entry<String, List<PersonalEvaluation.Item>> e : inputs.entrySet()) {
                    List<String> missed = new ArrayList<>();
                    long t0 = System.nanoTime();
                    List<PersonalEvaluation.Face> faces =
                            PersonalEvaluation.analyse(
                                    pr,
                                    r,
                                    e.getValue(),
                                    it -> missed.add(it.file().getFileName().toString()),
                                    () -> {});
                    o.printf(
                            Locale.ROOT,
                            "%s: %d photos analysed in %.0f s, %d without a detected face%n",
                            e.getKey(),
                            e.getValue().size(),
                            (System.nanoTime() - t0) / 1e9,
                            missed.size());
                    o.flush();
                    sets.put(e.getKey(), faces);
                    photos.put(e.getKey(), e.getValue().size());
                    noFace.put(e.getKey(), missed);
                }
                report.put("noFace", noFace);
                if (dumpFaces != null) {
                    ObjectMapper m = new ObjectMapper();
                    StringBuilder sb = new StringBuilder();
                    for (Map.Entry<String, List<PersonalEvaluation.Face>> e : sets.entrySet()) {
                        for (PersonalEvaluation.Face f : e.getValue()) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("set", e.getKey());
                            row.put("file", f.item().file().getFileName().toString());
                            row.put("person", f.item().person());
                            row.put("label", f.item().label());
                            row.put("enrol", f.item().enrol());
                            row.put("logProbs", f.logProbs());
                            row.put("identity", f.identity());
                            sb.append(m.writeValueAsString(row)).append('\n');
                        }
                    }
                    AtomicFiles.writeString(dumpFaces, sb.toString());
                }
                // identity verification: every pair within each set
                Map<String, Object> verification = new LinkedHashMap<>();
                for (String name : List.of("yale", "orl", "facial_expressions")) {
                    if (!sets.containsKey(name)) {
                        continue;
                    }
                    VerificationRates v = PersonalEvaluation.verification(sets.get(name));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("genuinePairs", v.genuinePairs());
                    m.put("impostorPairs", v.impostorPairs());
                    m.put("far", v.falseAccept(t));
                    m.put("frr", v.falseReject(t));
                    m.put("thresholdForFar1pct", v.thresholdForFar(0.01));
                    m.put("thresholdForFar0.1pct", v.thresholdForFar(0.001));
                    verification.put(name, m);
                    o.printf(
                            Locale.ROOT,
                            "verification %s: %d genuine / %d impostor pairs; at cosine %.3f: FAR %.3f%%, FRR %.2f%%; FAR <= 1%% from %.4f, <= 0.1%% from %.4f%n",
                            name,
                            v.genuinePairs(),
                            v.impostorPairs(),
                            t,
                            100 * v.falseAccept(t),
                            100 * v.falseReject(t),
                            v.thresholdForFar(0.01),
                            v.thresholdForFar(0.001));
                }
                report.put("verification", verification);
                for (String name : List.of("yale", "facial_expressions")) {
                    if (!sets.containsKey(name)) {
                        continue;
                    }
                    if (pz == null) {
                        pz = personalizer(r);
                    }
                    PersonalEvaluation.Result res =
                            PersonalEvaluation.evaluate(
                                    name,
                                    photos.get(name),
                                    noFace.get(name).size(),
                                    sets.get(name),
                                    pz,
                                    t);
                    o.print(PersonalEvaluation.table(res));
                    if (perPerson) {
                        o.print(PersonalEvaluation.perPerson(res));
                    }
                    report.put(name, res);
                }
                o.flush();
                if (out != null) {
                    AtomicFiles.writeString(
                            out,
                            new ObjectMapper()
                                            .enable(SerializationFeature.INDENT_OUTPUT)
                                            .writeValueAsString(report)
                                    + "\n");
                }
                return 0;
            } catch (PersonsException e) {
                return fail(spec, e.getMessage(), 1);
            }
        }

        private Personalizer personalizer(EmotionRecognizer r) {
            Path dir = recognizer.model != null ? recognizer.model : DefaultModel.locate();
            Path f = dir.resolve(NeutralReference.FILE);
            if (!Files.isRegularFile(f)) {
                throw new PersonsException(
                        "the model "
                                + dir
                                + " has no "
                                + NeutralReference.FILE
                                + "; make it with fra-fer person calibrate");
            }
            return new Personalizer(NeutralReference.read(f));
        }
    }
}
