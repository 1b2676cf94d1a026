package org.frafer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.data.ImageReadException;
import org.frafer.data.Images;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.ExplanationPanel;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.FaceExplanation;
import org.frafer.infer.FloatTensor;
import org.frafer.infer.Npy;
import org.frafer.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fra-fer explain}: what the FR attention does to each face (the paper's Fig. 4). */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = {
            "For every face in the photos writes a PNG panel: the input face, the FR attention map S, and the channel "
                    + "mean of the FER feature map before and after the attention, with the predicted emotion.",
            "Files: OUT/<name>_face<N>.png; with --raw also <name>_face<N>.json (box, probabilities, shapes) and the arrays "
                    + "as .npy (attention S (1,H,W), FER map before/after (C,H,W)) or inside the JSON.",
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every input was read", "1:some input failed", "2:bad usage or no model"})
public final class ExplainCommand implements Callable<Integer> {
    enum RawFormat {
        npy,
        json
    }

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin RecognizerOptions recognizer;

    @Parameters(
            arity = "1..*",
            paramLabel = "IMAGE",
            description = "Image files, folders (recursive) or quoted glob patterns.")
    List<String> inputs;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "Folder for the panels (created if missing).")
    Path out;

    @Option(
            names = "--raw",
            description = "Also write the raw arrays and a JSON description per face.")
    boolean raw;

    @Option(
            names = "--raw-format",
            paramLabel = "FORMAT",
            defaultValue = "npy",
            description =
                    "Arrays as ${COMPLETION-CANDIDATES} (json puts them into the face's JSON). Default: ${DEFAULT-VALUE}.")
    RawFormat rawFormat;

    @Option(
            names = "--overlay",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Draw the attention map over the face (default) or alone (--no-overlay).")
    boolean overlay;

    @Option(
            names = "--stretch",
            description =
                    "Colour the attention map from its own min to max instead of 0..1 "
                            + "(shows structure in flat maps, e.g. of untrained models).")
    boolean stretch;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        InputFiles files = InputFiles.expand(inputs);
        if (!files.reportReadable(err)) {
            return 1;
        }
        int failed = files.errors().size(); // missing inputs count as failed
        int faces = 0;
        try (EmotionRecognizer r = recognizer.builder().build()) {
            for (InputFiles.Input in : files.files()) {
                try {
                    BufferedImage image = Images.read(in.path(), r.options().maxPixels());
                    List<FaceCrop> crops = r.faces(image);
                    if (crops.isEmpty()) {
                        err.println(in.path() + ": no face found");
                        continue;
                    }
                    List<FaceExplanation> ex = r.explain(crops);
                    for (int i = 0; i < ex.size(); i++) {
                        String name = in.outputName() + "_face" + (i + 1);
                        String title = in.path().getFileName() + " face " + (i + 1);
                        AtomicFiles.writeImage(
                                ExplanationPanel.render(ex.get(i), title, overlay, stretch),
                                out.resolve(name + ".png"));
                        if (raw) {
                            writeRaw(ex.get(i), in.path(), name);
                        }
                        faces++;
                    }
                    err.println(in.path() + ": " + ex.size() + " face(s) explained");
                } catch (ImageReadException e) {
                    failed++;
                    err.println("error: " + e.getMessage());
                } catch (IOException e) {
                    failed++;
                    err.println(
                            "error: "
                                    + in.path()
                                    + ": cannot write to "
                                    + out
                                    + ": "
                                    + e.getMessage());
                }
                err.flush();
            }
        } catch (RuntimeException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        err.printf(
                Locale.ROOT,
                "%d face(s) explained in %s, %d input(s) failed%n",
                faces,
                out,
                failed);
        err.flush();
        return failed > 0 ? 1 : 0;
    }

    private void writeRaw(FaceExplanation e, Path source, String name) throws IOException {
        ObjectNode o = json.createObjectNode();
        FaceEmotion em = e.emotion();
        o.put("file", source.toString());
        o.put("fusion", e.fusion());
        ObjectNode box = o.putObject("box");
        box.put("x", em.face().x());
        box.put("y", em.face().y());
        box.put("width", em.face().width());
        box.put("height", em.face().height());
        o.put("faceScore", em.face().score());
        o.put("label", em.label());
        o.put("score", em.score());
        ObjectNode probs = o.putObject("probabilities");
        for (int i = 0; i < em.classes().size(); i++) {
            probs.put(em.classes().get(i), em.probabilities()[i]);
        }
        ObjectNode arrays = o.putObject("arrays");
        array(arrays, "attention", e.attention(), name);
        array(arrays, "featureBefore", e.featureBefore(), name);
        array(arrays, "featureAfter", e.featureAfter(), name);
        array(arrays, "embedding", e.embedding(), name);
        AtomicFiles.write(
                out.resolve(name + ".json"),
                s ->
                        json.writeValue(
                                new java.io.FilterOutputStream(s) {
                                    @Override
                                    public void close() {
                                        // AtomicFiles closes the stream itself
                                    }
                                },
                                o));
    }

    private void array(ObjectNode arrays, String key, FloatTensor t, String name)
            throws IOException {
        if (t == null) {
            arrays.putNull(key);
            return;
        }
        ObjectNode a = arrays.putObject(key);
        ArrayNode shape = a.putArray("shape");
        for (long d : t.shape()) {
            shape.add(d);
        }
        if (rawFormat == RawFormat.npy) {
            String file = name + "_" + key + ".npy";
            Npy.write(out.resolve(file), t);
            a.put("npy", file);
        } else {
            ArrayNode data = a.putArray("data");
            for (float v : t.data()) {
                data.add(v);
            }
        }
    }
}
