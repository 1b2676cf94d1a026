package org.frafer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
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
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.faces.BlazeFaceDetector;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceCrops;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;
import org.frafer.faces.IdentificationEval;
import org.frafer.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fra-fer faces ...}: face detection and the face-recognition sanity check. */
@Command(
        name = "faces",
        mixinStandardHelpOptions = true,
        description =
                "Face detection (BlazeFace) and face recognition (HSE FaceRes, MobileFaceNet), imported from TF.js models.",
        subcommands = {FacesCommand.Detect.class, FacesCommand.IdentifyEval.class})
public final class FacesCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    static final String[] KEYPOINT_NAMES = {
        "rightEye", "leftEye", "nose", "mouth", "rightEar", "leftEar"
    };

    @Command(
            name = "detect",
            mixinStandardHelpOptions = true,
            description =
                    "Detects faces; writes per image NAME.json (boxes, keypoints, scores, image size) and NAME.jpg (annotated).")
    static final class Detect implements Callable<Integer> {
        @Parameters(
                arity = "1..*",
                paramLabel = "PHOTO_OR_DIR",
                description =
                        "Photos, folders of photos (searched recursively) or quoted glob patterns such as 'shots/**.jpg'.")
        List<String> inputs;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "Output directory (created).")
        Path out;

        @Option(
                names = "--model",
                defaultValue = "back",
                paramLabel = "back|front",
                description =
                        "back: full-range 256x256 model for photos with several or small faces (default); front: 128x128, close-ups.")
        String model;

        @Option(
                names = "--min-score",
                defaultValue = "0.5",
                description = "Score threshold in (0, 1) (default ${DEFAULT-VALUE}).")
        float minScore;

        @Option(
                names = "--max-pixels",
                defaultValue = "100000000",
                description =
                        "Refuse images with more pixels than this, checked from the header before decoding (default ${DEFAULT-VALUE}).")
        long maxPixels;

        @Option(
                names = "--crops",
                defaultValue = "0",
                paramLabel = "SIZE",
                description =
                        "Also write each face as a SIZE x SIZE crop NAME_faceK.png (0 = no crops, default).")
        int cropSize;

        @Option(
                names = "--margin",
                defaultValue = "0.2",
                description =
                        "Crop margin per side as a fraction of the box (default ${DEFAULT-VALUE}).")
        float margin;

        @Option(names = "--align", description = "Rotate crops so the eyes are level.")
        boolean align;

        @Override
        public Integer call() throws Exception {
            if (!(minScore > 0 && minScore < 1)) {
                System.err.println("faces detect: --min-score must be in (0, 1), got " + minScore);
                return 2;
            }
            if (!List.of("back", "front").contains(model.toLowerCase(Locale.ROOT))) {
                System.err.println(
                        "faces detect: unknown --model '" + model + "'; known: back, front");
                return 2;
            }
            if (maxPixels <= 0 || cropSize < 0 || margin < 0) {
                System.err.println(
                        "faces detect: --max-pixels must be > 0, --crops >= 0, --margin >= 0");
                return 2;
            }
            InputFiles found = InputFiles.expand(inputs);
            // missing paths, empty folders and globs matching nothing are reported here and count
            // as failed
            if (!found.reportReadable(new PrintWriter(System.err, true))) {
                return 1;
            }
            int failed = found.errors().size();
            int notWritten = 0;
            List<InputFiles.Input> files = found.files();
            String problem = OutputPaths.folderProblem("--out", out, found.paths());
            if (problem != null) {
                System.err.println("faces detect: " + problem);
                return ExitCodes.USAGE;
            }
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                System.err.println(
                        "faces detect: cannot create the output folder "
                                + out
                                + ": "
                                + PredictCommand.describe(e)
                                + "; nothing was written");
                return ExitCodes.OUTPUT_FAILED;
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            int totalFaces = 0;
            long totalMs = 0;
            try (BlazeFaceDetector detector = FaceModels.detector(model)) {
                detector.minScore(minScore);
                System.out.printf(
                        "Detecting faces with BlazeFace-%s (%dx%d input, min score %.2f) in %d file(s) -> %s%n",
                        model.toLowerCase(Locale.ROOT),
                        detector.inputSize(),
                        detector.inputSize(),
                        minScore,
                        files.size(),
                        out);
                for (InputFiles.Input in : files) {
                    Path file = in.path();
                    String name = in.outputName();
                    try {
                        BufferedImage img = Images.read(file, maxPixels);
                        long t0 = System.nanoTime();
                        List<DetectedFace> faces = detector.detect(img);
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        totalMs += ms;
                        totalFaces += faces.size();
                        Path current = out.resolve(name + ".json");
                        try {
                            AtomicFiles.write(
                                    current, os -> json.writeValue(os, report(file, img, faces)));
                            current = out.resolve(name + ".jpg");
                            AtomicFiles.writeImage(annotate(img, faces), current);
                            if (cropSize > 0) {
                                for (int k = 0; k < faces.size(); k++) {
                                    BufferedImage crop =
                                            FaceCrops.crop(
                                                    img, faces.get(k), cropSize, margin, align);
                                    current = out.resolve(name + "_face" + (k + 1) + ".png");
                                    AtomicFiles.writeImage(crop, current);
                                }
                            }
                        } catch (IOException e) {
                            notWritten++;
                            System.err.printf(
                                    "  %-28s FAILED to write %s: %s (earlier outputs of this photo kept, no partial file)%n",
                                    file.getFileName(), current, PredictCommand.describe(e));
                            continue;
                        }
                        StringBuilder scores = new StringBuilder();
                        for (DetectedFace f : faces) {
                            scores.append(scores.length() == 0 ? "" : ", ")
                                    .append(String.format(Locale.ROOT, "%.2f", f.score()));
                        }
                        System.out.printf(
                                "  %-28s %5dx%-5d %s  %4d ms -> %s.json, %s.jpg%n",
                                file.getFileName(),
                                img.getWidth(),
                                img.getHeight(),
                                faces.isEmpty()
                                        ? "no face found          "
                                        : String.format(
                                                "%2d face%s (scores %s)",
                                                faces.size(),
                                                faces.size() == 1 ? " " : "s",
                                                scores),
                                ms,
                                name,
                                name);
                    } catch (RuntimeException e) {
                        failed++;
                        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                        System.err.printf(
                                "  %-28s FAILED: %s%n",
                                file.getFileName(),
                                msg.startsWith(file.toString())
                                        ? msg.substring(file.toString().length())
                                                .replaceFirst("^: ", "")
                                        : msg);
                    } catch (OutOfMemoryError e) {
                        failed++;
                        System.err.println(
                                "  FAILED: " + org.frafer.infer.OutOfMemory.message(file));
                    }
                }
            }
            int ok = files.size() + found.errors().size() - failed;
            System.out.printf(
                    "%d image(s) processed, %d face(s) found, %d failed%s; outputs in %s%n",
                    ok,
                    totalFaces,
                    failed,
                    ok > 0
                            ? String.format(" (detection %.0f ms/image)", totalMs / (double) ok)
                            : "",
                    out);
            if (notWritten > 0) {
                System.out.printf("%d photo(s) whose outputs could not be written%n", notWritten);
                return ExitCodes.OUTPUT_FAILED;
            }
            return failed == 0 ? ExitCodes.OK : ExitCodes.INPUT_FAILED;
        }

        private Map<String, Object> report(Path file, BufferedImage img, List<DetectedFace> faces) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", file.toString());
            r.put("width", img.getWidth());
            r.put("height", img.getHeight());
            r.put("model", "blazeface-" + model.toLowerCase(Locale.ROOT));
            r.put("minScore", minScore);
            List<Map<String, Object>> list = new ArrayList<>();
            for (DetectedFace f : faces) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("score", f.score());
                Map<String, Float> box = new LinkedHashMap<>();
                box.put("x", f.x());
                box.put("y", f.y());
                box.put("width", f.width());
                box.put("height", f.height());
                m.put("box", box);
                Map<String, float[]> kps = new LinkedHashMap<>();
                for (int k = 0; k < f.keypoints().length && k < KEYPOINT_NAMES.length; k++) {
                    kps.put(KEYPOINT_NAMES[k], f.keypoints()[k]);
                }
                m.put("keypoints", kps);
                list.add(m);
            }
            r.put("faces", list);
            return r;
        }

        static BufferedImage annotate(BufferedImage img, List<DetectedFace> faces) {
            BufferedImage out =
                    new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.drawImage(img, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            float line = Math.max(2f, Math.max(img.getWidth(), img.getHeight()) / 400f);
            g.setStroke(new BasicStroke(line));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(line * 7)));
            for (DetectedFace f : faces) {
                g.setColor(Color.GREEN);
                g.drawRect(
                        Math.round(f.x()),
                        Math.round(f.y()),
                        Math.round(f.width()),
                        Math.round(f.height()));
                g.drawString(
                        String.format(Locale.ROOT, "%.2f", f.score()), f.x(), f.y() - line * 2);
                g.setColor(Color.RED);
                int r = Math.round(line * 1.5f);
                for (float[] p : f.keypoints()) {
                    g.fillOval(Math.round(p[0]) - r, Math.round(p[1]) - r, 2 * r, 2 * r);
                }
            }
            g.dispose();
            return out;
        }
    }

    @Command(
            name = "identify-eval",
            mixinStandardHelpOptions = true,
            description =
                    "Closed-set identification on a folder of identity sub-folders (e.g. ORL s1..s40): "
                            + "first images of each person = gallery, rest = probes, cosine on FR descriptors; prints rank-1.")
    static final class IdentifyEval implements Callable<Integer> {
        @Parameters(
                paramLabel = "DIR",
                description = "Root with one sub-folder of face images per person.")
        Path dir;

        @Option(
                names = "--model",
                defaultValue = "hse-faceres",
                completionCandidates = FaceModels.FrIds.class,
                description =
                        "FR backbone: ${COMPLETION-CANDIDATES}, or tf_efficientnet_b0 / efficientnet_b0 with --weights (default ${DEFAULT-VALUE}).")
        String model;

        @Option(
                names = "--weights",
                paramLabel = "FILE",
                description =
                        "Weights of an EfficientNet --model (timm names, e.g. a distilled B0's model/student.safetensors).")
        java.nio.file.Path weights;

        @Option(
                names = "--gallery",
                defaultValue = "5",
                description = "Gallery images per person (default ${DEFAULT-VALUE}).")
        int gallery;

        @Option(
                names = "--max-identities",
                defaultValue = "0",
                description = "Use only the first N people (0 = all).")
        int maxIdentities;

        @Option(
                names = "--batch",
                defaultValue = "32",
                description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--detect",
                paramLabel = "back|front",
                description =
                        "First detect the face with this BlazeFace model and use an aligned square crop of it (default: whole images).")
        String detect;

        @Option(
                names = "--margin",
                defaultValue = "0.1",
                description =
                        "With --detect: crop margin per side, fraction of the box (default ${DEFAULT-VALUE}).")
        float margin;

        @Override
        public Integer call() throws Exception {
            if (gallery < 1 || batch < 1) {
                System.err.println("faces identify-eval: --gallery and --batch must be >= 1");
                return 2;
            }
            if (detect != null
                    && !List.of("back", "front").contains(detect.toLowerCase(Locale.ROOT))) {
                System.err.println(
                        "faces identify-eval: unknown --detect model '"
                                + detect
                                + "'; known: back, front");
                return 2;
            }
            boolean efficientNet =
                    !FaceModels.supports(model)
                            && org.frafer.model.FrBackbones.KNOWN.contains(model);
            if (!FaceModels.supports(model) && !efficientNet) {
                System.err.println(
                        "faces identify-eval: unknown --model '"
                                + model
                                + "'; known: "
                                + org.frafer.model.FrBackbones.KNOWN);
                return 2;
            }
            if (efficientNet != (weights != null)) {
                System.err.println(
                        efficientNet
                                ? "faces identify-eval: --model "
                                        + model
                                        + " needs --weights FILE (random weights identify nobody)"
                                : "faces identify-eval: --weights is for EfficientNet models; "
                                        + model
                                        + " brings its own");
                return 2;
            }
            if (weights != null && !java.nio.file.Files.isRegularFile(weights)) {
                System.err.println(
                        "faces identify-eval: --weights file " + weights + " does not exist");
                return 2;
            }
            try (FrBackbone fr =
                            efficientNet
                                    ? org.frafer.model.FrBackbones.create(model, weights)
                                    : FaceModels.fr(model);
                    BlazeFaceDetector det = detect == null ? null : FaceModels.detector(detect)) {
                IdentificationEval.Result r =
                        IdentificationEval.run(
                                dir,
                                fr,
                                gallery,
                                maxIdentities,
                                batch,
                                det == null
                                        ? null
                                        : IdentificationEval.detectAndCrop(
                                                det, fr.inputSize(), margin, true));
                System.out.printf(
                        Locale.ROOT,
                        "%s: %d identities, %d gallery / %d probe images, model %s%s: rank-1 = %.2f%% (%d/%d) in %.1f s%n",
                        dir,
                        r.identities(),
                        r.gallery(),
                        r.probes(),
                        model,
                        det == null
                                ? ""
                                : " (faces detected with blazeface-"
                                        + detect
                                        + ", aligned, margin "
                                        + margin
                                        + ")",
                        100 * r.rank1(),
                        r.correct(),
                        r.probes(),
                        r.seconds());
                if (r.rank1() < 0.9) {
                    System.err.println(
                            "warning: rank-1 below 90% - check the images are face crops and the model import");
                }
                return 0;
            } catch (IOException | ImageReadException | IllegalArgumentException e) {
                System.err.println("faces identify-eval: " + e.getMessage());
                return 1;
            }
        }
    }
}
