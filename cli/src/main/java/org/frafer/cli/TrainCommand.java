package org.frafer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.data.BatchSource;
import org.frafer.data.EmotionClasses;
import org.frafer.data.FaceDataset;
import org.frafer.data.LoadedDataset;
import org.frafer.data.TeacherLabels;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.Networks;
import org.frafer.train.TrainConfig;
import org.frafer.train.TrainData;
import org.frafer.train.TrainResult;
import org.frafer.train.TrainState;
import org.frafer.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fra-fer train}: trains a FER model with a recipe; {@code train --resume RUN_DIR} continues
 * a killed run.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Trains an emotion model. Settings come from the recipe, then --config, then the options below, then --set.",
            "Recipes: distill (a face-pretrained B0: cosine loss to the frozen --teacher's descriptor, teacher outputs cached once;"
                    + " AdamW 1e-3 cosine, batch 32, 112 px, 20 epochs; --data train and valid splits + --faces folders);"
                    + " paper (Adam 3e-5, batch 8, 6 epochs, cross-entropy); hsemotion (weighted CE + label smoothing 0.1,"
                    + " SAM rho 0.05 around Adam, head 3 epochs at 1e-3 then all 6 epochs at 1e-4, best validation epoch kept);"
                    + " scratch (AdamW 1e-3, cosine decay, batch 64, label smoothing 0.1, weight decay 0.05, 30 epochs).",
            "RUN_DIR gets config.json (effective settings), metrics.jsonl, curves.png, checkpoints/, model/ (output), summary.json."
        },
        footer = {
            "",
            "Examples:",
            "  fra-fer train --data $FRAFER_DATA/ferplus --format ferplus --recipe hsemotion --init fer.safetensors --out runs/hse",
            "  fra-fer train --data faces/ --format folder --recipe scratch --max-steps 200 --out runs/quick --set samRho=0.1",
            "  fra-fer train --recipe distill --teacher hse-faceres --data $FRAFER_DATA/ferplus --format ferplus --faces $FRAFER_DATA/orl_faces --out runs/b0-face",
            "  fra-fer train --resume runs/hse"
        })
public final class TrainCommand implements Callable<Integer> {
    private final CliServices services;

    public TrainCommand() {
        this(CliServices.real());
    }

    TrainCommand(CliServices services) {
        this.services = services;
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Dataset root (FER+: folder with FER2013Train/Valid/Test; AffectNet: folder with the CSVs; folder: class-per-folder).")
    Path data;

    @Option(
            names = "--format",
            paramLabel = "FMT",
            description = "Dataset layout: ferplus, affectnet, folder, facial-expressions or sfew.")
    String format;

    @Option(
            names = "--split",
            paramLabel = "NAME",
            description = "Training split (default: train).")
    String split;

    @Option(
            names = "--val-split",
            paramLabel = "NAME",
            description =
                    "Validation split of --data (default for ferplus: valid; none otherwise).")
    String valSplit;

    @Option(
            names = "--val-data",
            paramLabel = "DIR",
            description = "A separate validation dataset of the same format.")
    Path valData;

    @Option(names = "--no-val", description = "Train without validation (the last epoch is kept).")
    boolean noVal;

    @Option(
            names = "--recipe",
            paramLabel = "NAME",
            description =
                    "paper, hsemotion, scratch, accuracy or distill (default: paper, or the config file's recipe).")
    String recipe;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "JSON file with settings (keys as in RUN_DIR/config.json), applied over the recipe.")
    Path configFile;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Override any setting, e.g. --set samRho=0.1 --set model.dropRate=0.3 (repeatable, applied last).")
    List<String> sets = new ArrayList<>();

    @Option(
            names = "--fusion",
            paramLabel = "NAME",
            completionCandidates = org.frafer.model.Registry.FusionNames.class,
            description = "${COMPLETION-CANDIDATES} (fra is the paper's).")
    String fusion;

    @Option(
            names = "--tap",
            paramLabel = "post|pre",
            description =
                    "Where the fusion acts on layer q: post (its output, default) or pre (its last conv's output before the norm; q = 1: conv_stem's signed output).")
    String tap;

    @Option(
            names = "--arch",
            paramLabel = "NAME",
            completionCandidates = org.frafer.model.Registry.FerBackboneNames.class,
            description =
                    "FER backbone: ${COMPLETION-CANDIDATES} (default tf_efficientnet_b0; hse-faceres / faceres-deep are face-pretrained).")
    String arch;

    @Option(
            names = "--input-size",
            paramLabel = "PX",
            description = "Side of the square input (default 224).")
    Integer inputSize;

    @Option(
            names = "--classes",
            paramLabel = "N",
            description = "8 (AffectNet-8 order, default) or 7 (without Contempt).")
    Integer classes;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs of the main (last) stage.")
    Integer epochs;

    @Option(
            names = "--head-epochs",
            paramLabel = "N",
            description = "Epochs of the head-only stage (hsemotion).")
    Integer headEpochs;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size.")
    Integer batch;

    @Option(
            names = "--lr",
            paramLabel = "LR",
            description = "Learning rate of the main (last) stage.")
    Double lr;

    @Option(
            names = "--head-lr",
            paramLabel = "LR",
            description = "Learning rate of the head-only stage (hsemotion).")
    Double headLr;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of shuffling, augmentation, dropout and subsets (default 42).")
    Long seed;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            description = "Stop after N optimizer steps (quick runs).")
    Long maxSteps;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Train on a seeded random subset of N samples.")
    Integer limit;

    @Option(
            names = "--val-limit",
            paramLabel = "N",
            description = "Validate on a seeded random subset of N samples.")
    Integer valLimit;

    @Option(
            names = "--soft-labels",
            description = "FER+: train on the vote distributions instead of majority labels.")
    Boolean softLabels;

    @Option(
            names = "--teacher-labels",
            paramLabel = "FILE.csv",
            description =
                    "Soft targets from a teacher (tools/teacher/opencv_fer.py soft-labels); implies --soft-labels. Pass it again with --resume.")
    Path teacherLabels;

    @Option(
            names = "--teacher-weight",
            paramLabel = "W",
            defaultValue = "1",
            description =
                    "Target = W * teacher + (1 - W) * own label (FER+ votes with --soft-labels). Default: ${DEFAULT-VALUE}")
    float teacherWeight;

    @Option(
            names = "--skip-bad-rows",
            description =
                    "Skip malformed CSV rows and missing image files (counted) instead of stopping.")
    boolean skipBadRows;

    @Option(names = "--no-flip", description = "No random horizontal flips.")
    boolean noFlip;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Image decoding threads (default: automatic).")
    Integer workers;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            description = "Checkpoint every N steps too (default 500; 0 = epoch ends only).")
    Integer checkpointEvery;

    @Option(
            names = "--init",
            paramLabel = "FILE",
            description =
                    "FER weights to start from (safetensors with timm names, e.g. a converted HSEmotion model).")
    Path init;

    @Option(
            names = "--fr",
            paramLabel = "ID",
            description =
                    "Frozen FR branch for fra/fra-residual/concat: hse-faceres (default), faceres-deep, mobilefacenet, tf_efficientnet_b0 (with --fr-weights).")
    String fr;

    @Option(
            names = "--fr-weights",
            paramLabel = "FILE",
            description =
                    "Weights of an EfficientNet --fr (timm names), e.g. a distilled B0's model/student.safetensors.")
    Path frWeights;

    @Option(
            names = "--teacher",
            paramLabel = "ID",
            description =
                    "distill recipe: the frozen FR backbone whose descriptor the B0 learns (default hse-faceres).")
    String teacher;

    @Option(
            names = "--teacher-cache",
            paramLabel = "FILE",
            description =
                    "distill recipe: teacher embeddings cache (computed once, reused when it matches; default RUN_DIR/teacher-ID.safetensors).")
    Path teacherCache;

    @Option(
            names = "--faces",
            paramLabel = "DIR",
            description =
                    "distill recipe: more face images (folder, searched recursively, e.g. ORL); repeatable.")
    List<Path> faces = new ArrayList<>();

    @Option(
            names = "--out",
            paramLabel = "RUN_DIR",
            description = "Run folder (must not hold a run yet).")
    Path out;

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description =
                    "Continue the run in RUN_DIR from its latest checkpoint (takes no other settings).")
    Path resume;

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
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (resume != null) {
                checkResumeAlone();
                return runResume(err);
            }
            TrainConfig cfg = buildConfig();
            if (out == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--out RUN_DIR is required (or --resume RUN_DIR)");
            }
            return run(cfg, out, false, err);
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (java.io.UncheckedIOException e) {
            // a full disk or a read-only run folder: checkpoints are written to a temporary folder
            // and renamed,
            // so the run folder keeps its last complete checkpoint
            err.println(
                    "fra-fer train: "
                            + e.getMessage()
                            + "; the run folder keeps its last complete checkpoint (train --resume continues from it)");
            return ExitCodes.OUTPUT_FAILED;
        } catch (org.frafer.data.DatasetException
                | IllegalArgumentException
                | IllegalStateException
                | UnsupportedOperationException e) {
            err.println("fra-fer train: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    private void checkResumeAlone() {
        List<String> others = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o :
                spec.commandLine().getParseResult().matchedOptions()) {
            // the teacher's targets and the thread count are not part of the recorded config: they
            // are given again on resume
            if (!List.of(
                            "--resume",
                            "--no-progress",
                            "--teacher-labels",
                            "--teacher-weight",
                            "--threads")
                    .contains(o.longestName())) {
                others.add(o.longestName());
            }
        }
        if (!others.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--resume continues a run with its recorded settings (RUN_DIR/config.json); it takes no other settings, got "
                            + others);
        }
    }

    /** Recipe, then --config, then the options, then --set; validated. */
    TrainConfig buildConfig() {
        CommandLine cl = spec.commandLine();
        JsonNode fileNode = null;
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new CommandLine.ParameterException(
                        cl, "--config file " + configFile + " does not exist");
            }
            try {
                fileNode = TrainConfig.JSON.readTree(configFile.toFile());
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        cl,
                        "--config file " + configFile + " is not valid JSON: " + e.getMessage());
            }
        }
        String recipeName =
                recipe != null
                        ? recipe
                        : fileNode != null && fileNode.hasNonNull("recipe")
                                ? fileNode.get("recipe").asText()
                                : "paper";
        TrainConfig cfg;
        try {
            cfg = TrainConfig.recipe(recipeName.toLowerCase(Locale.ROOT));
            if (configFile != null) {
                cfg.mergeFile(configFile);
                cfg.recipe = recipeName.toLowerCase(Locale.ROOT);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (data != null) {
            cfg.data = data.toAbsolutePath().normalize().toString();
        }
        if (format != null) {
            cfg.format = format.toLowerCase(Locale.ROOT);
        }
        if (split != null) {
            cfg.trainSplit = split;
        }
        if (valData != null) {
            cfg.valData = valData.toAbsolutePath().normalize().toString();
        }
        if (valSplit != null) {
            cfg.valSplit = valSplit;
        }
        if (limit != null) {
            cfg.limit = limit;
        }
        if (valLimit != null) {
            cfg.valLimit = valLimit;
        }
        if (teacherLabels != null) {
            cfg.softLabels = true; // the trainer reads the teacher's targets as soft labels
        }
        if (softLabels != null) {
            cfg.softLabels = softLabels;
        }
        if (noFlip) {
            cfg.flip = false;
        }
        if (skipBadRows) {
            cfg.skipBadRows = true;
        }
        if (workers != null) {
            cfg.workers = workers;
        }
        if (seed != null) {
            cfg.seed = seed;
        }
        if (batch != null) {
            cfg.batchSize = batch;
        }
        if (maxSteps != null) {
            cfg.maxSteps = maxSteps;
        }
        if (checkpointEvery != null) {
            cfg.checkpointEvery = checkpointEvery;
        }
        if (init != null) {
            if (!Files.isRegularFile(init)) {
                throw new CommandLine.ParameterException(
                        cl, "--init file " + init + " does not exist");
            }
            cfg.init = init.toAbsolutePath().toString();
        }
        if (fusion != null) {
            cfg.model.fusion = fusion.toLowerCase(Locale.ROOT);
        }
        if (fr != null) {
            cfg.model.frBackbone = fr;
        }
        if (frWeights != null) {
            if (!Files.isRegularFile(frWeights)) {
                throw new CommandLine.ParameterException(
                        cl, "--fr-weights file " + frWeights + " does not exist");
            }
            cfg.model.frWeights = frWeights.toAbsolutePath().normalize().toString();
        }
        if (teacher != null) {
            cfg.teacher = teacher;
        }
        if (teacherCache != null) {
            cfg.teacherCache = teacherCache.toAbsolutePath().normalize().toString();
        }
        if (!faces.isEmpty()) {
            cfg.faces = faces.stream().map(f -> f.toAbsolutePath().normalize().toString()).toList();
        }
        if (tap != null) {
            cfg.model.tap = tap.toLowerCase(Locale.ROOT);
        }
        if (arch != null) {
            cfg.model.arch = arch;
        }
        if (inputSize != null) {
            cfg.model.inputSize = inputSize;
        }
        if (classes != null) {
            if (classes != 7 && classes != 8) {
                throw new CommandLine.ParameterException(
                        cl, "--classes must be 7 or 8, got " + classes);
            }
            cfg.model.classes =
                    new ArrayList<>(classes == 7 ? EmotionClasses.SEVEN : EmotionClasses.EIGHT);
        }
        TrainConfig.Stage last = cfg.stages.get(cfg.stages.size() - 1);
        if (epochs != null) {
            last.epochs = epochs;
        }
        if (lr != null) {
            last.lr = lr;
        }
        if (headEpochs != null || headLr != null) {
            TrainConfig.Stage head =
                    cfg.stages.stream()
                            .filter(s -> "head".equals(s.params))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new CommandLine.ParameterException(
                                                    cl,
                                                    "recipe "
                                                            + cfg.recipe
                                                            + " has no head-only stage for --head-epochs/--head-lr"));
            if (headEpochs != null) {
                head.epochs = headEpochs;
            }
            if (headLr != null) {
                head.lr = headLr;
            }
        }
        try {
            for (String s : sets) {
                cfg.set(s);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (noVal) {
            cfg.valSplit = null;
            cfg.valData = null;
        } else if (cfg.valSplit == null && cfg.valData == null && "ferplus".equals(cfg.format)) {
            cfg.valSplit = "valid";
        }
        if (cfg.data == null) {
            throw new CommandLine.ParameterException(
                    cl, "--data DIR is required (the training dataset)");
        }
        if (!DatasetAccess.isFormat(cfg.format)) {
            throw new CommandLine.ParameterException(
                    cl,
                    "--format must be one of "
                            + DatasetAccess.FORMAT_LIST
                            + " (got "
                            + cfg.format
                            + ")");
        }
        try {
            cfg.validate();
            cfg.model.validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return cfg;
    }

    private int runResume(PrintWriter err) {
        Path cfgFile = resume.resolve(Trainer.CONFIG_FILE);
        if (!Files.isRegularFile(cfgFile)) {
            throw new IllegalArgumentException(
                    resume + " is not a run folder (no " + Trainer.CONFIG_FILE + ")");
        }
        return run(TrainConfig.read(cfgFile).validate(), resume, true, err);
    }

    private int run(TrainConfig cfg, Path runDir, boolean resuming, PrintWriter err) {
        if ("distill".equals(cfg.recipe)) {
            return DistillRun.run(cfg, runDir, resuming, err);
        }
        int numClasses = cfg.model.classes.size();
        DatasetAccess datasets = services.datasets();
        FaceDataset train =
                datasets.openNonEmpty(
                        new DatasetAccess.Request(
                                cfg.format,
                                Path.of(cfg.data),
                                cfg.trainSplit,
                                numClasses,
                                cfg.softLabels,
                                cfg.limit,
                                cfg.seed,
                                null,
                                cfg.skipBadRows));
        if (teacherLabels != null) {
            train = TeacherLabels.read(teacherLabels).apply(train, teacherWeight);
            err.println(((LoadedDataset) train).summary());
        }
        FaceDataset val = null;
        if (cfg.valData != null || cfg.valSplit != null) {
            val =
                    datasets.openNonEmpty(
                            new DatasetAccess.Request(
                                    cfg.format,
                                    Path.of(cfg.valData != null ? cfg.valData : cfg.data),
                                    cfg.valSplit,
                                    numClasses,
                                    false,
                                    cfg.valLimit,
                                    cfg.seed,
                                    null,
                                    cfg.skipBadRows));
        }
        if (!resuming) {
            cfg.model.classes = new ArrayList<>(train.classes());
        }
        err.println(
                "training on "
                        + train.name()
                        + " ("
                        + train.samples().size()
                        + " samples)"
                        + (val == null
                                ? ", no validation"
                                : ", validating on "
                                        + val.name()
                                        + " ("
                                        + val.samples().size()
                                        + ")"));
        BatchSource trainBatches = null;
        BatchSource valBatches = null;
        // Same seed, same initial weights (random init and any random stand-in branch draw from the
        // engine RNG).
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) cfg.seed);
        try (EmotionNetwork network = services.networkFactory().apply(cfg.model)) {
            org.frafer.infer.EngineThreads.apply(threads, 1);
            trainBatches =
                    datasets.batches(
                            train,
                            cfg.batchSize,
                            cfg.model.inputSize,
                            true,
                            cfg.flip,
                            cfg.seed,
                            cfg.workers,
                            org.frafer.data.Augmentation.named(cfg.augment));
            valBatches =
                    val == null
                            ? null
                            : datasets.batches(
                                    val,
                                    cfg.batchSize,
                                    cfg.model.inputSize,
                                    false,
                                    false,
                                    cfg.seed,
                                    cfg.workers);
            if (!resuming && cfg.init != null) {
                err.println(
                        "initial FER weights "
                                + cfg.init
                                + ": "
                                + Networks.loadFerWeights(network, Path.of(cfg.init), false));
            }
            Trainer trainer =
                    new Trainer(
                                    network,
                                    cfg,
                                    new TrainData(
                                            trainBatches,
                                            valBatches,
                                            train.classes(),
                                            DatasetAccess.classCounts(train),
                                            train.name()),
                                    runDir)
                            .progress(
                                    !noProgress && Terminal.stderrIsTerminal()
                                            ? new ConsoleTrainProgress()
                                            : null)
                            .log(new java.io.PrintStream(new WriterStream(err), true));
            TrainResult r = resuming ? trainer.resume() : trainer.train();
            TrainState.EpochRecord lastEpoch =
                    r.history().isEmpty() ? null : r.history().get(r.history().size() - 1);
            err.println(
                    "done: "
                            + r.steps()
                            + " steps; model "
                            + r.modelDir()
                            + (r.keptEpoch() > 0 ? " (epoch " + r.keptEpoch() + ")" : "")
                            + (lastEpoch != null && lastEpoch.valAccuracy != null
                                    ? String.format(
                                            Locale.ROOT,
                                            "; last val accuracy %.4f",
                                            lastEpoch.valAccuracy)
                                    : ""));
            if (!trainBatches.skippedFiles().isEmpty()) {
                err.println(
                        "skipped "
                                + trainBatches.skippedFiles().size()
                                + " undecodable training files (first: "
                                + trainBatches.skippedFiles().get(0)
                                + ")");
            }
            return 0;
        } finally {
            if (trainBatches != null) {
                DatasetAccess.close(trainBatches);
            }
            if (valBatches != null) {
                DatasetAccess.close(valBatches);
            }
        }
    }

    /** Lets the trainer's notes go to picocli's error writer. */
    static final class WriterStream extends java.io.OutputStream {
        private final PrintWriter w;

        WriterStream(PrintWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            w.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            w.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            w.flush();
        }
    }
}
