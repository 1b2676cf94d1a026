package org.frafer.video.cli;

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
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.io.AtomicFiles;
import org.frafer.video.ClipClassifier;
import org.frafer.video.ClipDataset;
import org.frafer.video.FrameAnnotator;
import org.frafer.video.FrameRowWriter;
import org.frafer.video.SyntheticClips;
import org.frafer.video.TimelineChart;
import org.frafer.video.TrackSummary;
import org.frafer.video.VideoAnalyzer;
import org.frafer.video.VideoReadException;
import org.frafer.video.VideoReader;
import org.frafer.video.VideoReport;
import org.frafer.video.VideoWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code video}: faces tracked through videos with their emotions, and the clip classifier of the
 * paper's AFEW protocol.
 */
@Command(
        name = "video",
        mixinStandardHelpOptions = true,
        description =
                "Faces tracked through videos (mp4, mkv, avi, webm, mov) with per-person emotion timelines; the paper's clip classifier.",
        subcommands = {
            VideoCommand.Predict.class,
            VideoCommand.Train.class,
            VideoCommand.Evaluate.class,
            VideoCommand.MakeTestClips.class,
            BenchCommand.class
        })
public final class VideoCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * For running the module alone: {@code java -cp ... org.frafer.video.cli.VideoCommand predict
     * clip.mp4}.
     */
    public static void main(String[] args) {
        System.exit(
                new CommandLine(new VideoCommand())
                        .setCaseInsensitiveEnumValuesAllowed(true)
                        .execute(args));
    }

    static final String CLASSIFIER_FOLDER = "clip-classifier";

    // ------------------------------------------------------------------ predict

    @Command(
            name = "predict",
            mixinStandardHelpOptions = true,
            description =
                    "Faces, tracks and emotions through videos: a per-track summary on stdout; with --out, per-frame rows, "
                            + "track summaries (JSON) and an emotion-timeline PNG per track; --annotate writes the video with boxes, ids and labels.")
    static final class Predict implements Callable<Integer> {
        @Mixin VideoOptions o;

        @Parameters(paramLabel = "VIDEO", arity = "1..*", description = "Video files.")
        List<Path> videos;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description =
                        "Write NAME.frames.jsonl|csv, NAME.tracks.json and NAME.track-ID.png here.")
        Path out;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                defaultValue = "jsonl",
                description = "Per-frame rows: jsonl or csv. Default: ${DEFAULT-VALUE}.")
        FrameRowWriter.Format format;

        @Option(
                names = "--annotate",
                paramLabel = "OUT.mp4",
                description =
                        "Write the analysed frames with boxes, track ids and labels (H.264 when the FFmpeg build has it, else MPEG-4 part 2). "
                                + "With several videos: a folder, one NAME.annotated.mp4 each.")
        Path annotate;

        @Option(
                names = "--clip",
                description =
                        "Also classify each whole clip (main face track) with the clip classifier.")
        boolean clip;

        @Option(
                names = "--classifier",
                paramLabel = "DIR",
                description =
                        "Clip classifier folder (from `video train`). Default: MODEL/"
                                + CLASSIFIER_FOLDER
                                + ".")
        Path classifier;

        @Override
        public Integer call() throws IOException {
            ClipClassifier cc = null;
            try {
                if (clip) {
                    cc = ClipClassifier.load(classifierFolder(o, classifier));
                }
                checkOutputs();
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            int failed = 0;
            try (EmotionRecognizer r = o.recognizer();
                    FrBackbone fr = o.frBackbone()) {
                VideoAnalyzer analyzer = new VideoAnalyzer(r, fr, o.analyzerOptions(clip));
                System.out.println(
                        "video\ttrack\tframes\tseconds\tfirst\tlast\ttop emotion (share)"
                                + (clip ? "\tclip" : ""));
                for (Path v : videos) {
                    try {
                        VideoReport rep = one(analyzer, r, v);
                        String clipLabel = "";
                        if (cc != null) {
                            double[] d = rep.clipDescriptors().get(rep.mainTrack());
                            clipLabel = d == null ? "no face" : cc.predict(d).label();
                        }
                        for (TrackSummary t : rep.tracks()) {
                            Map.Entry<String, Double> top =
                                    t.share().entrySet().stream()
                                            .max(Map.Entry.comparingByValue())
                                            .orElseThrow();
                            System.out.printf(
                                    Locale.ROOT,
                                    "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%s (%.0f %%)%s%n",
                                    v,
                                    t.track(),
                                    t.frames(),
                                    t.seconds(),
                                    t.firstSeconds(),
                                    t.lastSeconds(),
                                    top.getKey(),
                                    100 * top.getValue(),
                                    cc != null && t.track() == rep.mainTrack()
                                            ? "\t" + clipLabel
                                            : "");
                        }
                        if (rep.tracks().isEmpty()) {
                            System.out.println(
                                    v
                                            + "\t-\t0\t0\t-\t-\tno face"
                                            + (cc != null ? "\tno face" : ""));
                        }
                        System.err.printf(
                                Locale.ROOT,
                                "%s: %d frames analysed (%d decoded), %d faces, %d tracks, %.1f frames/s%n",
                                v,
                                rep.sampledFrames(),
                                rep.decodedFrames(),
                                rep.facesFound(),
                                rep.tracks().size(),
                                rep.framesPerSecond());
                        if (rep.warning() != null) {
                            System.err.println(
                                    "warning: "
                                            + rep.warning()
                                            + " (the frames before were analysed)");
                        }
                    } catch (VideoReadException e) {
                        System.err.println("error: " + e.getMessage());
                        failed++;
                    }
                }
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                if (e instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException(e);
            }
            return failed == 0 ? 0 : 1;
        }

        private Path annotatedFile(Path v) {
            return videos.size() == 1 ? annotate : annotate.resolve(stem(v) + ".annotated.mp4");
        }

        /**
         * Every output file is checked before any video is read: existing data is never
         * overwritten.
         */
        private void checkOutputs() {
            List<Path> files = new ArrayList<>();
            for (Path v : videos) {
                if (out != null) {
                    files.add(
                            out.resolve(
                                    stem(v) + ".frames." + format.name().toLowerCase(Locale.ROOT)));
                    files.add(out.resolve(stem(v) + ".tracks.json"));
                }
                if (annotate != null) {
                    files.add(annotatedFile(v));
                }
            }
            for (Path f : files) {
                if (Files.exists(f)) {
                    throw new IllegalArgumentException(
                            f + ": exists; remove it or choose another output");
                }
            }
        }

        private VideoReport one(VideoAnalyzer analyzer, EmotionRecognizer r, Path v)
                throws IOException {
            String name = stem(v);
            FrameRowWriter rows = null;
            VideoWriter[] writer = {null};
            Path annotated = annotate == null ? null : annotatedFile(v);
            try {
                if (out != null) {
                    Files.createDirectories(out);
                    rows =
                            new FrameRowWriter(
                                    out.resolve(
                                            name
                                                    + ".frames."
                                                    + format.name().toLowerCase(Locale.ROOT)),
                                    format,
                                    r.classes(),
                                    o.smooth > 0);
                }
                if (annotated != null && annotated.getParent() != null) {
                    Files.createDirectories(annotated.getParent());
                }
                FrameRowWriter rowsFinal = rows;
                // The annotated video runs at the sampling rate, or at the source's rate when every
                // frame is kept.
                double sourceRate = 25;
                if (annotated != null && o.fps <= 0) {
                    try (VideoReader probe = VideoReader.open(v, o.readOptions())) {
                        sourceRate = probe.info().frameRate() > 0 ? probe.info().frameRate() : 25;
                    }
                }
                double rate = o.fps > 0 ? o.fps : sourceRate;
                VideoReport rep =
                        analyzer.analyze(
                                v,
                                (res, img) -> {
                                    if (rowsFinal != null) {
                                        rowsFinal.write(res);
                                    }
                                    if (annotated != null) {
                                        if (writer[0] == null) {
                                            writer[0] =
                                                    new VideoWriter(
                                                            annotated,
                                                            img.getWidth(),
                                                            img.getHeight(),
                                                            rate,
                                                            3,
                                                            true);
                                            System.err.println(
                                                    annotated + ": " + writer[0].codec());
                                        }
                                        writer[0].write(
                                                FrameAnnotator.annotate(img, res),
                                                res.timeSeconds() - o.start);
                                    }
                                });
                if (out != null) {
                    writeSummary(out.resolve(name + ".tracks.json"), rep);
                    for (Map.Entry<Integer, List<double[]>> t : rep.timelines().entrySet()) {
                        Path png = out.resolve(name + ".track-" + t.getKey() + ".png");
                        if (!Files.exists(png)) {
                            TimelineChart.write(
                                    png,
                                    name + " - track " + t.getKey(),
                                    r.classes(),
                                    t.getValue());
                        }
                    }
                }
                return rep;
            } finally {
                if (rows != null) {
                    rows.close();
                }
                if (writer[0] != null) {
                    writer[0].close();
                }
            }
        }
    }

    static void writeSummary(Path file, VideoReport rep) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("video", rep.file().toString());
        m.put("info", rep.info());
        m.put("decodedFrames", rep.decodedFrames());
        m.put("analysedFrames", rep.sampledFrames());
        m.put("faces", rep.facesFound());
        m.put("mainTrack", rep.mainTrack());
        m.put("warning", rep.warning());
        m.put("framesPerSecond", rep.framesPerSecond());
        m.put("tracks", rep.tracks());
        AtomicFiles.writeString(file, mapper().writeValueAsString(m));
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    static String stem(Path v) {
        String n = v.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static Path classifierFolder(VideoOptions o, Path classifier) {
        if (classifier != null) {
            return classifier;
        }
        if (o.model == null) {
            throw new IllegalArgumentException(
                    "say where the clip classifier is: --classifier DIR (or --model DIR with a "
                            + CLASSIFIER_FOLDER
                            + "/ inside)");
        }
        return o.model.resolve(CLASSIFIER_FOLDER);
    }

    // ------------------------------------------------------------------ train / evaluate

    /**
     * Descriptors of the main face track of each clip; clips without a face or unreadable are
     * reported and left out.
     */
    static List<double[]> descriptors(
            VideoAnalyzer analyzer,
            List<ClipDataset.Clip> clips,
            List<ClipDataset.Clip> kept,
            List<String> problems) {
        List<double[]> x = new ArrayList<>();
        int i = 0;
        for (ClipDataset.Clip c : clips) {
            i++;
            try {
                VideoReport rep = analyzer.analyze(c.file(), null);
                if (rep.warning() != null) {
                    System.err.println("warning: " + rep.warning());
                }
                double[] d = rep.clipDescriptors().get(rep.mainTrack());
                if (d == null) {
                    problems.add(c.file() + ": no face found");
                    continue;
                }
                x.add(d);
                kept.add(c);
            } catch (VideoReadException e) {
                problems.add(e.getMessage());
            }
            if (i % 20 == 0) {
                System.err.printf(Locale.ROOT, "%d/%d clips%n", i, clips.size());
            }
        }
        return x;
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description =
                    "Train the clip classifier (AFEW protocol: per-frame FER embeddings + probabilities of the main face track -> mean, std, "
                            + "min, max -> linear SVM, LIBLINEAR) on DIR/<split>/<Emotion>/*.avi.")
    static final class Train implements Callable<Integer> {
        @Mixin VideoOptions o;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                required = true,
                description = "Clips in the AFEW layout: DIR/<split>/<Emotion>/*.avi.")
        Path data;

        @Option(
                names = "--split",
                defaultValue = "Train",
                description = "Split folder to train on. Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(
                names = "--c",
                paramLabel = "C",
                defaultValue = "" + ClipClassifier.DEFAULT_C,
                description = "SVM regularisation C. Default: ${DEFAULT-VALUE}.")
        double c;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description =
                        "Where to store the classifier. Default: MODEL/"
                                + CLASSIFIER_FOLDER
                                + " (needs --model).")
        Path out;

        @Override
        public Integer call() throws Exception {
            try {
                Path dest = out != null ? out : classifierFolder(o, null);
                if (Files.exists(dest.resolve(ClipClassifier.META))) {
                    throw new IllegalArgumentException(
                            dest
                                    + ": already has a clip classifier; remove it or choose another --out");
                }
                List<ClipDataset.Clip> clips = ClipDataset.scan(data, split);
                List<ClipDataset.Clip> kept = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                List<double[]> x;
                try (EmotionRecognizer r = o.recognizer();
                        FrBackbone fr = o.frBackbone()) {
                    x =
                            descriptors(
                                    new VideoAnalyzer(r, fr, o.analyzerOptions(true)),
                                    clips,
                                    kept,
                                    problems);
                }
                problems.forEach(p -> System.err.println("skipped: " + p));
                List<String> y = kept.stream().map(ClipDataset.Clip::label).toList();
                ClipClassifier cc = ClipClassifier.train(x, y, c, o.modelName(), o.fps);
                int right = 0;
                for (int i = 0; i < x.size(); i++) {
                    right += cc.predict(x.get(i)).label().equals(y.get(i)) ? 1 : 0;
                }
                cc.save(dest);
                System.out.printf(
                        Locale.ROOT,
                        "trained on %d clips (%d left out), classes %s, C = %s; training accuracy %.1f %%; saved to %s%n",
                        x.size(),
                        problems.size(),
                        cc.classes(),
                        c,
                        100.0 * right / x.size(),
                        dest);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            description =
                    "Score the clip classifier on DIR/<split>/<Emotion>/*.avi: accuracy, per-class recall, confusion matrix. "
                            + "Clips without a face count as wrong.")
    static final class Evaluate implements Callable<Integer> {
        @Mixin VideoOptions o;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                required = true,
                description = "Clips in the AFEW layout.")
        Path data;

        @Option(
                names = "--split",
                defaultValue = "Val",
                description =
                        "Split folder to score. Default: ${DEFAULT-VALUE} (AFEW's test labels are not public).")
        String split;

        @Option(
                names = "--classifier",
                paramLabel = "DIR",
                description = "Clip classifier folder. Default: MODEL/" + CLASSIFIER_FOLDER + ".")
        Path classifier;

        @Option(
                names = "--report",
                paramLabel = "FILE.json",
                description = "Write the figures and per-clip predictions here (not overwritten).")
        Path report;

        @Override
        public Integer call() throws Exception {
            try {
                ClipClassifier cc = ClipClassifier.load(classifierFolder(o, classifier));
                if (report != null && Files.exists(report)) {
                    throw new IllegalArgumentException(
                            report + ": exists; remove it or choose another --report");
                }
                if (cc.meta().fps() != o.fps) {
                    System.err.printf(
                            Locale.ROOT,
                            "warning: the classifier was trained on descriptors at --fps %s, evaluating at --fps %s%n",
                            cc.meta().fps(),
                            o.fps);
                }
                List<ClipDataset.Clip> clips = ClipDataset.scan(data, split);
                List<ClipDataset.Clip> kept = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                List<double[]> x;
                try (EmotionRecognizer r = o.recognizer();
                        FrBackbone fr = o.frBackbone()) {
                    x =
                            descriptors(
                                    new VideoAnalyzer(r, fr, o.analyzerOptions(true)),
                                    clips,
                                    kept,
                                    problems);
                }
                problems.forEach(p -> System.err.println("no prediction: " + p));
                Map<String, Map<String, Integer>> confusion = new TreeMap<>();
                List<Map<String, Object>> perClip = new ArrayList<>();
                int right = 0;
                for (int i = 0; i < x.size(); i++) {
                    String truth = kept.get(i).label();
                    String pred = cc.predict(x.get(i)).label();
                    right += truth.equals(pred) ? 1 : 0;
                    confusion
                            .computeIfAbsent(truth, k -> new TreeMap<>())
                            .merge(pred, 1, Integer::sum);
                    perClip.add(
                            Map.of(
                                    "clip",
                                    kept.get(i).file().toString(),
                                    "label",
                                    truth,
                                    "predicted",
                                    pred));
                }
                int total = clips.size();
                Map<String, Double> recall = new TreeMap<>();
                for (String cl : clips.stream().map(ClipDataset.Clip::label).distinct().toList()) {
                    long n = clips.stream().filter(c -> c.label().equals(cl)).count();
                    int ok = confusion.getOrDefault(cl, Map.of()).getOrDefault(cl, 0);
                    recall.put(cl, n == 0 ? 0 : ok / (double) n);
                }
                double accuracy = total == 0 ? 0 : right / (double) total;
                double balanced =
                        recall.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElse(0);
                System.out.printf(
                        Locale.ROOT,
                        "%s/%s: %d clips, accuracy %.1f %% (%d right), balanced accuracy %.1f %%, %d without a prediction%n",
                        data,
                        split,
                        total,
                        100 * accuracy,
                        right,
                        100 * balanced,
                        problems.size());
                recall.forEach(
                        (k, v) ->
                                System.out.printf(
                                        Locale.ROOT, "  %-10s recall %.1f %%%n", k, 100 * v));
                System.out.println("confusion (rows = truth): " + confusion);
                if (report != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("data", data.toString());
                    m.put("split", split);
                    m.put("clips", total);
                    m.put("accuracy", accuracy);
                    m.put("balancedAccuracy", balanced);
                    m.put("recall", recall);
                    m.put("confusion", confusion);
                    m.put("withoutPrediction", problems);
                    m.put("predictions", perClip);
                    AtomicFiles.writeString(report, mapper().writeValueAsString(m));
                }
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
        }
    }

    // ------------------------------------------------------------------ test clips

    @Command(
            name = "make-test-clips",
            mixinStandardHelpOptions = true,
            description =
                    "Build test clips from real faces: with --yale, expressions.mp4 (one person normal -> happy -> surprised), "
                            + "two-people.mp4 (side by side, a cut, swapped) and afew/ (per-expression clips in the AFEW layout); "
                            + "with --photo, a pan and zoom over the photo at --size.")
    static final class MakeTestClips implements Callable<Integer> {
        @Option(
                names = "--yale",
                paramLabel = "DIR",
                description = "The Yale faces folder (subjectNN.CONDITION files).")
        Path yale;

        @Option(
                names = "--photo",
                paramLabel = "FILE",
                description = "A photo with faces for a pan-and-zoom clip.")
        Path photo;

        @Option(
                names = "--size",
                paramLabel = "WxH",
                defaultValue = "1280x720",
                description = "Pan clip size. Default: ${DEFAULT-VALUE}.")
        String size;

        @Option(
                names = "--frames",
                paramLabel = "N",
                defaultValue = "60",
                description = "Pan clip frames (at 30 frames/s). Default: ${DEFAULT-VALUE}.")
        int frames;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                required = true,
                description = "Output folder (must not exist yet).")
        Path out;

        @Override
        public Integer call() throws Exception {
            try {
                if (yale == null && photo == null) {
                    throw new IllegalArgumentException("give --yale DIR and/or --photo FILE");
                }
                if (Files.exists(out)) {
                    throw new IllegalArgumentException(out + ": exists; choose a new folder");
                }
                Files.createDirectories(out);
                if (yale != null) {
                    SyntheticClips.expressions(yale, 1, out.resolve("expressions.mp4"), 10);
                    SyntheticClips.twoPeople(yale, 1, 2, out.resolve("two-people.mp4"), 10);
                    SyntheticClips.afewLayout(
                            yale,
                            out.resolve("afew"),
                            List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
                            List.of(11, 12, 13, 14, 15),
                            8);
                }
                if (photo != null) {
                    String[] wh = size.toLowerCase(Locale.ROOT).split("x");
                    int w = Integer.parseInt(wh[0]);
                    int h = Integer.parseInt(wh[1]);
                    SyntheticClips.panZoom(
                            Images.read(photo, Images.DEFAULT_MAX_PIXELS),
                            out.resolve(stem(photo) + "-" + w + "x" + h + ".mp4"),
                            w,
                            h,
                            frames,
                            30);
                }
                try (PrintWriter pw = new PrintWriter(System.out)) {
                    pw.println("clips written to " + out);
                }
                return 0;
            } catch (IllegalArgumentException | ImageReadException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
        }
    }
}
