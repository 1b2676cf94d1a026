package org.frafer.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.ImageResult;
import org.frafer.io.AtomicFiles;
import org.frafer.io.WriteFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fra-fer predict}: the emotion of every face in photos. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Finds the faces in photos and predicts their emotions.",
            "Faces of many photos are classified together in batches. A file that cannot be used (unreadable, empty, "
                    + "not an image, too many pixels) is reported and the others go on; the exit code is 1 when any input failed.",
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:every input was read (photos without a face included)",
            "1:some input failed (each is listed)",
            "2:bad usage, configuration or no model",
            "3:an output could not be written (the message says what was kept)"
        })
public final class PredictCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin RecognizerOptions recognizer;

    @Parameters(
            arity = "1..*",
            paramLabel = "INPUT",
            description =
                    "Image files, folders (searched recursively) or quoted glob patterns ('photos/**/*.jpg').")
    List<String> inputs;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    PredictionWriter.Format format;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write the results here instead of standard output.")
    Path output;

    @Option(
            names = "--annotate",
            paramLabel = "DIR",
            description = "Also write each photo with its faces, emotions and scores drawn on it.")
    Path annotate;

    @Option(
            names = "--persons",
            paramLabel = "DIR",
            description =
                    "Person store (fra-fer person enrol): faces of enrolled people are read relative to their profile and named.")
    Path persons;

    @Option(
            names = "--personalize",
            paramLabel = "MODE",
            description =
                    "auto: group the faces of all inputs by identity (no enrolment) and read each group of 3+ relative to its typical face.")
    String personalize;

    @Option(
            names = "--progress",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Progress bar on standard error when there are more than 10 files (default on).")
    boolean progress;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        InputFiles files = InputFiles.expand(inputs);
        if (!files.reportReadable(err)) {
            return ExitCodes.INPUT_FAILED;
        }
        String problem =
                output == null ? null : OutputPaths.fileProblem("-o", output, files.paths());
        if (problem == null && annotate != null) {
            problem = OutputPaths.folderProblem("--annotate", annotate, files.paths());
        }
        if (problem != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), problem);
        }
        int failed = files.errors().size(); // missing inputs count as failed
        if (personalize != null && (!personalize.equals("auto") || persons != null)) {
            err.println(
                    persons != null
                            ? "error: use either --persons or --personalize auto"
                            : "error: --personalize takes 'auto', not '" + personalize + "'");
            err.flush();
            return ExitCodes.USAGE;
        }
        EmotionRecognizer.Builder builder;
        try {
            builder = recognizer.builder();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        EmotionRecognizer r;
        try {
            r = builder.build();
        } catch (RuntimeException e) {
            err.println("error: cannot load the model: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        Map<Path, String> names = new HashMap<>();
        files.files().forEach(i -> names.put(i.path(), i.outputName()));
        Path tmp = null;
        WriteFailure fileStream = null;
        try {
            if (output != null) {
                tmp = AtomicFiles.tempFor(output);
                fileStream = new WriteFailure(Files.newOutputStream(tmp));
            }
        } catch (IOException | RuntimeException e) {
            r.close();
            discardQuietly(tmp);
            err.println(
                    "error: cannot write " + output + ": " + describe(e) + "; nothing was written");
            err.flush();
            return ExitCodes.OUTPUT_FAILED;
        }
        int[] counts = new int[5]; // images, faces, without a face, failed, outputs not written
        PrintWriter fileOut =
                fileStream == null
                        ? null
                        : new PrintWriter(
                                new OutputStreamWriter(fileStream, StandardCharsets.UTF_8));
        PrintWriter out = fileOut != null ? fileOut : spec.commandLine().getOut();
        WriteFailure stream = fileStream;
        boolean committed = false;
        org.frafer.persons.PersonalRecognition pr = null;
        if (persons != null || personalize != null) {
            try {
                pr = PersonCommand.open(recognizer, r, persons);
            } catch (RuntimeException e) {
                r.close();
                discardQuietly(tmp);
                err.println("error: " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        try (r;
                org.frafer.persons.PersonalRecognition personal = pr;
                PredictionWriter writer = PredictionWriter.of(format, out, r.classes());
                ProgressBar bar = progressBar(files.files().size())) {
            EmotionRecognizer.ResultListener each =
                    (res, image) -> {
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
                        } catch (IOException e) {
                            // reported below from the stream's own error
                        }
                        checkResults(out, stream);
                        if (annotate != null && image != null) {
                            Path target =
                                    annotate.resolve(
                                            names.get(res.path())
                                                    + (isJpeg(res.path()) ? ".jpg" : ".png"));
                            try {
                                AtomicFiles.writeImage(
                                        Annotator.annotate(image, res.faces()), target);
                            } catch (IOException | RuntimeException e) {
                                counts[4]++;
                                err.println(
                                        "error: cannot write "
                                                + target
                                                + ": "
                                                + describe(e)
                                                + " (no annotated copy for "
                                                + res.path()
                                                + ")");
                            }
                        }
                        err.flush();
                        if (bar != null) {
                            bar.step();
                        }
                    };
            if (personalize != null) {
                // two passes: every face must be known before the groups are; photos are decoded
                // again to draw on
                for (ImageResult res : personal.predictAllAuto(files.paths())) {
                    each.onResult(
                            res,
                            annotate != null && res.ok()
                                    ? org.frafer.data.Images.read(res.path(), recognizer.maxPixels)
                                    : null);
                }
            } else if (personal != null) {
                personal.predictEach(files.paths(), each);
            } else {
                r.predictEach(files.paths(), each);
            }
            writer.close();
            checkResults(out, stream);
            if (fileOut != null) {
                fileOut.close();
                if (stream.error() != null) {
                    throw new ResultsNotWritten(stream.error());
                }
                AtomicFiles.commit(tmp, output);
                committed = true;
            }
        } catch (ResultsNotWritten e) {
            err.println(
                    "error: cannot write "
                            + (output != null ? output : "the results to standard output")
                            + ": "
                            + describe(e.getCause())
                            + (output != null
                                    ? "; "
                                            + output
                                            + " was left as it was (the partial temporary file was removed)"
                                    : "")
                            + "; the run stopped after "
                            + counts[0]
                            + " image(s)");
            err.flush();
            return ExitCodes.OUTPUT_FAILED;
        } catch (IOException e) {
            err.println(
                    "error: cannot write "
                            + output
                            + ": "
                            + describe(e)
                            + "; "
                            + output
                            + " was left as it was");
            err.flush();
            return ExitCodes.OUTPUT_FAILED;
        } catch (org.frafer.persons.PersonsException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        } catch (IllegalStateException | IllegalArgumentException e) {
            // set-up problems that concern every file (no detector, model/classes mismatch)
            err.println("error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        } finally {
            if (fileOut != null) {
                fileOut.close();
            }
            if (!committed) {
                discardQuietly(tmp); // interrupted or failed: keep whatever was there before
            }
        }
        failed += counts[3];
        err.printf(
                Locale.ROOT,
                "%d image(s), %d face(s), %d without a face, %d failed%s%n",
                counts[0],
                counts[1],
                counts[2],
                failed,
                counts[4] > 0
                        ? ", "
                                + counts[4]
                                + " annotated cop"
                                + (counts[4] == 1 ? "y" : "ies")
                                + " not written"
                        : "");
        err.flush();
        return counts[4] > 0
                ? ExitCodes.OUTPUT_FAILED
                : failed > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
    }

    /**
     * Stops the run when the results could not be written (full disk, closed pipe): nothing is
     * reported as done that was not.
     */
    private static void checkResults(PrintWriter out, WriteFailure file) {
        if (file != null) {
            out.flush();
            if (file.error() != null) {
                throw new ResultsNotWritten(file.error());
            }
        } else if (out.checkError() || System.out.checkError()) {
            throw new ResultsNotWritten(
                    new IOException("standard output failed (full disk or closed pipe)"));
        }
    }

    private static final class ResultsNotWritten extends RuntimeException {
        ResultsNotWritten(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    static String describe(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied (" + a.getFile() + ")";
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "no such file or folder (" + n.getFile() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static void discardQuietly(Path tmp) {
        if (tmp != null) {
            try {
                AtomicFiles.discard(tmp);
            } catch (IOException e) {
                System.err.println(
                        "warning: cannot delete the temporary file " + tmp + ": " + e.getMessage());
            }
        }
    }

    static boolean isJpeg(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private ProgressBar progressBar(int files) {
        if (!progress || files <= 10 || !Terminal.stderrIsTerminal()) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName("predict")
                .setInitialMax(files)
                .setUnit(" img", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
    }
}
