package org.frafer.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.frafer.data.BatchSource;
import org.frafer.data.FaceDataset;
import org.frafer.eval.ClassMap;
import org.frafer.eval.EvalReport;
import org.frafer.eval.Evaluation;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.TestTimeAugmentation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fra-fer evaluate}: scores a model folder on a labelled dataset and writes a JSON report.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Evaluates a model on a labelled dataset: accuracy, balanced accuracy, macro-F1, per-class precision/recall,",
            "confusion matrix (REPORT-confusion.csv/.png beside the report), per-subject accuracy when subjects are known."
        },
        footer = {
            "",
            "Example: fra-fer evaluate --model runs/hse/model --data $FRAFER_DATA/ferplus --format ferplus --split test --out reports/hse.json"
        })
public final class EvaluateCommand implements Callable<Integer> {
    private final CliServices services;

    public EvaluateCommand() {
        this(CliServices.real());
    }

    EvaluateCommand(CliServices services) {
        this.services = services;
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model folder (config.json + model.safetensors), e.g. RUN_DIR/model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset root.")
    Path data;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FMT",
            description = "ferplus, affectnet, folder, facial-expressions or sfew.")
    String format;

    @Option(
            names = "--split",
            paramLabel = "NAME",
            description =
                    "Split to score (default: ferplus test, affectnet valid, folder: DIR/test when present, else DIR itself).")
    String split;

    @Option(
            names = "--skip-bad-rows",
            description =
                    "Skip malformed CSV rows and missing image files (counted in the report) instead of stopping.")
    boolean skipBadRows;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "Report JSON file to write.")
    Path out;

    @Option(
            names = "--seven",
            description =
                    "AffectNet-7 from an 8-class model: drop the Contempt output (argmax over the other 7), exclude Contempt samples.")
    boolean seven;

    @Option(
            names = "--classes",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Dataset classes to read: 8 (default) or 7 (Contempt samples dropped when reading).")
    int classes;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "32",
            description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Score a seeded random subset of N samples.")
    Integer limit;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of --limit's subset (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--subject-pattern",
            paramLabel = "REGEX",
            description =
                    "Regex with one group taking a subject id from the image path (per-subject accuracy).")
    String subjectPattern;

    @Option(
            names = "--workers",
            paramLabel = "N",
            defaultValue = "0",
            description = "Image decoding threads (0 = automatic).")
    int workers;

    @Option(
            names = "--tta",
            paramLabel = "none|flip",
            defaultValue = "none",
            description =
                    "Test-time augmentation: flip = mean probabilities of each face and its mirror (twice the work). Default: ${DEFAULT-VALUE}.")
    String tta;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            description =
                    "Softmax temperature for the calibration figures (ECE, NLL, reliability diagram). Default: the model's (config temperature, 1 when absent).")
    Double temperature;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "PyTorch threads (0 = FRAFER_THREADS, else all available cores). With several processes on one machine give each cores / processes.")
    int threads;

    @Option(
            names = "--no-progress",
            description = "No progress bar (it is also off when the output is not a terminal).")
    boolean noProgress;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        if (!DatasetAccess.isFormat(format)) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--format must be one of "
                            + DatasetAccess.FORMAT_LIST
                            + " (got "
                            + format
                            + ")");
        }
        if (classes != 7 && classes != 8) {
            throw new CommandLine.ParameterException(
                    cl, "--classes must be 7 or 8, got " + classes);
        }
        if (batch < 1) {
            throw new CommandLine.ParameterException(cl, "--batch must be >= 1, got " + batch);
        }
        TestTimeAugmentation views;
        try {
            views = TestTimeAugmentation.parse(tta);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--tta: " + e.getMessage());
        }
        if (temperature != null && !(temperature > 0 && temperature < 1e6)) {
            throw new CommandLine.ParameterException(
                    cl, "--temperature must be a positive number, got " + temperature);
        }
        if (!Files.isDirectory(model)) {
            throw new CommandLine.ParameterException(cl, "--model " + model + " is not a folder");
        }
        if (Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--out " + out + " is a folder; give a report file name such as report.json");
        }
        BatchSource source = null;
        try (EmotionNetwork network = services.networkLoader().apply(model)) {
            org.frafer.infer.EngineThreads.apply(threads, 1);
            String split =
                    this.split != null ? this.split : DatasetAccess.defaultEvalSplit(format, data);
            FaceDataset ds =
                    services.datasets()
                            .openNonEmpty(
                                    new DatasetAccess.Request(
                                            format,
                                            data,
                                            split,
                                            classes,
                                            false,
                                            limit,
                                            seed,
                                            subjectPattern,
                                            skipBadRows));
            ClassMap map = ClassMap.of(network.config().classes, ds.classes(), seven);
            source =
                    services.datasets()
                            .batches(
                                    ds,
                                    batch,
                                    network.config().inputSize,
                                    false,
                                    false,
                                    seed,
                                    workers);
            Evaluation ev;
            try (ProgressBar bar =
                    noProgress || !Terminal.stderrIsTerminal()
                            ? null
                            : new ProgressBarBuilder()
                                    .setTaskName("evaluate")
                                    .setInitialMax(source.size())
                                    .setStyle(ProgressBarStyle.ASCII)
                                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                                    .setUnit(" img", 1)
                                    .showSpeed()
                                    .build()) {
                double t = temperature != null ? temperature : network.config().temperature;
                ev =
                        Evaluation.run(
                                network,
                                source,
                                map,
                                views,
                                t,
                                n -> {
                                    if (bar != null) {
                                        bar.stepBy(n);
                                    }
                                });
            }
            EvalReport report =
                    EvalReport.from(
                            ev,
                            ds.name(),
                            split,
                            model.normalize().toString(),
                            network.config(),
                            seven,
                            source.skippedFiles());
            try {
                report.write(out);
            } catch (java.io.UncheckedIOException e) {
                err.println(
                        "fra-fer evaluate: cannot write "
                                + out
                                + ": "
                                + PredictCommand.describe(e.getCause() != null ? e.getCause() : e)
                                + "; "
                                + out
                                + " was left as it was");
                return ExitCodes.OUTPUT_FAILED;
            }
            err.println(
                    String.format(
                            Locale.ROOT,
                            "%s: %d scored%s; accuracy %s, balanced accuracy %s, macro-F1 %s; ECE %s at T=%.4f%s; %.1f s -> %s",
                            ds.name(),
                            report.samplesEvaluated,
                            excludedText(report.excluded),
                            fmt(report.accuracy),
                            fmt(report.balancedAccuracy),
                            fmt(report.macroF1),
                            fmt(report.ece),
                            ev.temperature,
                            views == TestTimeAugmentation.NONE ? "" : ", tta " + views,
                            ev.seconds,
                            out));
            return 0;
        } catch (org.frafer.data.DatasetException e) {
            err.println("fra-fer evaluate: " + e.getMessage() + "; no report written");
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException
                | IllegalStateException
                | UnsupportedOperationException
                | java.io.UncheckedIOException e) {
            err.println("fra-fer evaluate: " + e.getMessage() + "; no report written");
            return ExitCodes.USAGE;
        } finally {
            if (source != null) {
                DatasetAccess.close(source);
            }
        }
    }

    private static String excludedText(Map<String, Long> excluded) {
        return excluded.isEmpty() ? "" : " (excluded " + excluded + ")";
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }
}
