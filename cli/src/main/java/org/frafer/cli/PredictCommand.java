package org.frafer.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.frafer.infer.Annotator;
import org.frafer.io.AtomicFiles;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.ImageResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fra-fer predict}: the emotion of every face in photos. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {
            "Finds the faces in photos and predicts their emotions.",
            "Faces of many photos are classified together in batches. A file that cannot be used (unreadable, empty, "
                    + "not an image, too many pixels) is reported and the others go on; the exit code is 1 when any input failed.",
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every input was read (photos without a face included)", "1:some input failed", "2:bad usage or no model"})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    RecognizerOptions recognizer;

    @Parameters(arity = "1..*", paramLabel = "INPUT",
            description = "Image files, folders (searched recursively) or quoted glob patterns ('photos/**/*.jpg').")
    List<String> inputs;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    PredictionWriter.Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the results here instead of standard output.")
    Path output;

    @Option(names = "--annotate", paramLabel = "DIR", description = "Also write each photo with its faces, emotions and scores drawn on it.")
    Path annotate;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Progress bar on standard error when there are more than 10 files (default on).")
    boolean progress;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        InputFiles files = InputFiles.expand(inputs);
        if (!files.reportReadable(err)) {
            return 1;
        }
        int failed = files.errors().size(); // missing inputs count as failed
        EmotionRecognizer r;
        try {
            r = recognizer.builder().build();
        } catch (RuntimeException e) {
            err.println("error: cannot load the model: " + e.getMessage());
            err.flush();
            return 2;
        }
        Map<Path, String> names = new HashMap<>();
        files.files().forEach(i -> names.put(i.path(), i.outputName()));
        Path tmp = output == null ? null : AtomicFiles.tempFor(output);
        int[] counts = new int[4]; // images, faces, without a face, failed
        PrintWriter fileOut = tmp == null ? null : new PrintWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8));
        PrintWriter out = fileOut != null ? fileOut : spec.commandLine().getOut();
        try (r; PredictionWriter writer = PredictionWriter.of(format, out, r.classes()); ProgressBar bar = progressBar(files.files().size())) {
            r.predictEach(files.paths(), (res, image) -> {
                counts[0]++;
                if (!res.ok()) {
                    counts[3]++;
                    err.println("error: " + res.error());
                } else if (res.faces().isEmpty()) {
                    counts[2]++;
                    err.println(res.path() + ": no face found");
                } else {
                    counts[1] += res.faces().size();
                }
                try {
                    writer.write(res);
                    if (annotate != null && image != null) {
                        String name = names.get(res.path()) + (isJpeg(res.path()) ? ".jpg" : ".png");
                        AtomicFiles.writeImage(Annotator.annotate(image, res.faces()), annotate.resolve(name));
                    }
                } catch (IOException e) {
                    counts[3]++;
                    err.println("error: " + res.path() + ": cannot write the output: " + e.getMessage());
                }
                err.flush();
                if (bar != null) {
                    bar.step();
                }
            });
        } catch (IllegalStateException | IllegalArgumentException e) {
            // set-up problems that concern every file (no detector, model/classes mismatch)
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        } finally {
            if (fileOut != null) {
                fileOut.close();
            }
            if (tmp != null && Files.exists(tmp)) {
                if (counts[0] == files.files().size()) {
                    AtomicFiles.commit(tmp, output);
                } else {
                    Files.delete(tmp); // interrupted: keep whatever was there before
                }
            }
        }
        failed += counts[3];
        err.printf(Locale.ROOT, "%d image(s), %d face(s), %d without a face, %d failed%n", counts[0], counts[1], counts[2], failed);
        err.flush();
        return failed > 0 ? 1 : 0;
    }

    static boolean isJpeg(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private ProgressBar progressBar(int files) {
        if (!progress || files <= 10) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("predict").setInitialMax(files).setUnit(" img", 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }
}
