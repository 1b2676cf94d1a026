package org.frafer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.frafer.data.BatchSource;
import org.frafer.data.DatasetException;
import org.frafer.data.FaceDataset;
import org.frafer.eval.Calibration;
import org.frafer.eval.ClassMap;
import org.frafer.eval.EvalReport;
import org.frafer.eval.Evaluation;
import org.frafer.io.AtomicFiles;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.ModelFiles;
import org.frafer.model.TestTimeAugmentation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fra-fer calibrate}: temperature scaling. Scores a model on a labelled split (a validation
 * split, never the test split you report), finds the softmax temperature that minimises the
 * negative log-likelihood of the true labels, and writes a copy of the model folder with that
 * {@code temperature} in its config.json. The source folder is never changed and an existing output
 * folder is never overwritten.
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Fits the softmax temperature of a model on a labelled validation split (minimum NLL) and writes a copy of",
            "the model folder with it in config.json, plus calibration.json (NLL and ECE before and after on that split)."
        },
        footer = {
            "",
            "Example: fra-fer calibrate --model models/default --data $FRAFER_DATA/ferplus --format ferplus --split valid --out runs/default-calibrated"
        })
public final class CalibrateCommand implements Callable<Integer> {
    private final CliServices services;

    CalibrateCommand(CliServices services) {
        this.services = services;
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model folder to calibrate (not changed).")
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
            defaultValue = "valid",
            description = "Split to fit on (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "New model folder to write (must not exist).")
    Path out;

    @Option(
            names = "--classes",
            paramLabel = "N",
            defaultValue = "8",
            description = "Dataset classes to read: 8 (default) or 7.")
    int classes;

    @Option(
            names = "--seven",
            description =
                    "Fit on 7 classes from an 8-class model (Contempt output dropped, Contempt samples excluded).")
    boolean seven;

    @Option(
            names = "--tta",
            paramLabel = "none|flip",
            defaultValue = "none",
            description =
                    "Fit for this test-time augmentation (use the one predict will run with). Default: ${DEFAULT-VALUE}.")
    String tta;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "32",
            description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--workers",
            paramLabel = "N",
            defaultValue = "0",
            description = "Image decoding threads (0 = automatic).")
    int workers;

    @Override
    public Integer call() throws com.fasterxml.jackson.core.JsonProcessingException {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        TestTimeAugmentation views;
        try {
            views = TestTimeAugmentation.parse(tta);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--tta: " + e.getMessage());
        }
        if (!Files.isDirectory(model)) {
            throw new CommandLine.ParameterException(cl, "--model " + model + " is not a folder");
        }
        if (Files.exists(out)) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--out "
                            + out
                            + " already exists; calibrate writes a new model folder and never overwrites one");
        }
        if ("test".equalsIgnoreCase(split)) {
            err.println(
                    "warning: fitting on the test split; report test figures of a temperature fitted on validation data");
        }
        BatchSource source = null;
        try (EmotionNetwork network = services.networkLoader().apply(model)) {
            FaceDataset ds =
                    services.datasets()
                            .openNonEmpty(
                                    new DatasetAccess.Request(
                                            format, data, split, classes, false, null, 42, null));
            ClassMap map = ClassMap.of(network.config().classes, ds.classes(), seven);
            source =
                    services.datasets()
                            .batches(
                                    ds,
                                    batch,
                                    network.config().inputSize,
                                    false,
                                    false,
                                    42,
                                    workers);
            double before = network.config().temperature;
            Evaluation ev = Evaluation.run(network, source, map, views, before, null);
            double t = ev.fitTemperature();
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("dataset", ds.name());
            record.put("split", split);
            record.put("samples", ev.confusion.total());
            record.put("tta", views.toString());
            record.put("temperatureBefore", before);
            record.put("temperature", t);
            record.put("nllBefore", ev.nll(before));
            record.put("nllAfter", ev.nll(t));
            record.put("eceBefore", Calibration.ece(ev.reliability(before)));
            record.put("eceAfter", Calibration.ece(ev.reliability(t)));
            record.put("source", model.normalize().toString());
            ModelConfig cfg = ModelFiles.readConfig(model);
            cfg.temperature = (float) t;
            cfg.validate();
            writeModelCopy(model, out, cfg, EvalReport.JSON.writeValueAsString(record));
            err.println(
                    String.format(
                            Locale.ROOT,
                            "%s: %d scored; temperature %.4f -> %.4f; NLL %.4f -> %.4f; ECE %.4f -> %.4f -> %s",
                            ds.name(),
                            ev.confusion.total(),
                            before,
                            t,
                            record.get("nllBefore"),
                            record.get("nllAfter"),
                            record.get("eceBefore"),
                            record.get("eceAfter"),
                            out));
            return 0;
        } catch (IllegalArgumentException
                | IllegalStateException
                | UnsupportedOperationException
                | java.io.UncheckedIOException
                | DatasetException e) {
            err.println("fra-fer calibrate: " + e.getMessage());
            return 1;
        } finally {
            if (source != null) {
                DatasetAccess.close(source);
            }
        }
    }

    /**
     * Writes a copy of the model folder (its files, one level: the evaluation reports beside the
     * model too) with the new config and calibration.json, into a temporary sibling first and
     * renamed into place at the end, so a failure leaves no half-written model folder.
     */
    static void writeModelCopy(Path from, Path to, ModelConfig config, String calibrationJson) {
        Path abs = to.toAbsolutePath().normalize();
        Path tmp =
                abs.resolveSibling(
                        "." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(abs.getParent());
            Files.createDirectory(tmp);
            List<Path> files;
            try (Stream<Path> s = Files.list(from)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
            ModelFiles.writeConfig(config, tmp.resolve(ModelFiles.CONFIG));
            AtomicFiles.writeString(tmp.resolve("calibration.json"), calibrationJson);
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new java.io.UncheckedIOException(
                    "cannot write the model folder " + to + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: the temporary folder's name says what it is
        }
    }
}
