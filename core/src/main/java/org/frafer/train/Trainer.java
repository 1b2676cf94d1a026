package org.frafer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.frafer.data.FaceBatch;
import org.frafer.eval.ClassMap;
import org.frafer.eval.ConfusionMatrix;
import org.frafer.eval.Evaluation;
import org.frafer.io.AtomicFiles;
import org.frafer.model.EmotionNetwork;
import org.frafer.nn.NamedParameter;

/**
 * The training loop: stages of epochs of batches, one NDManager per batch, optional SAM two-pass
 * steps, checkpoints at every epoch end and every {@code checkpointEvery} steps, metrics.jsonl,
 * learning curves, best-epoch selection, and the output model ({@code RUN_DIR/model}).
 *
 * <p>Run folder: {@code config.json} (effective config), {@code metrics.jsonl}, {@code curves.png},
 * {@code checkpoints/}, {@code best/} (best validation epoch when keepBest), {@code model/}
 * (output), {@code summary.json}.
 *
 * <p>Reproducibility: the engine RNG (dropout etc.) is re-seeded from (seed, step, pass) before
 * every forward pass and the batch source's order depends only on (seed, epoch), so a run resumed
 * from a checkpoint takes exactly the steps an uninterrupted one takes.
 *
 * <p>Size: Over 400 lines (issue 14 split partly done: the step with SAM is TrainStep): the loop,
 * metrics, best-epoch choice and run-folder file operations remain; RunFolder is the next piece to
 * move out.
 */
public final class Trainer {
    public static final String CONFIG_FILE = "config.json";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String CURVES_FILE = "curves.png";
    public static final String MODEL_DIR = "model";
    public static final String BEST_DIR = "best";

    private final EmotionNetwork network;
    private final TrainConfig config;
    private final TrainData data;
    private final Path runDir;
    private TrainProgress progress;
    private PrintStream log = System.err;
    private float[] classWeights;

    /** tau * log(class prior), added to the logits inside the loss (logit adjustment), or null. */
    private float[] logitOffsets;

    private TrainStep trainStep;

    public Trainer(EmotionNetwork network, TrainConfig config, TrainData data, Path runDir) {
        this.network = network;
        this.config = config.validate();
        this.data = data;
        this.runDir = runDir.toAbsolutePath().normalize();
        checkClasses();
    }

    /**
     * Where progress goes while training runs (e.g. a console bar); null (the default) shows none.
     */
    public Trainer progress(TrainProgress progress) {
        this.progress = progress;
        return this;
    }

    /** Where notes (resume, best epoch, warnings) go; null silences them. */
    public Trainer log(PrintStream out) {
        this.log = out;
        return this;
    }

    private void checkClasses() {
        List<String> modelClasses = network.config().classes;
        if (data.classes() != null && !lowercase(data.classes()).equals(lowercase(modelClasses))) {
            throw new IllegalArgumentException(
                    "dataset classes "
                            + data.classes()
                            + " differ from the model's classes "
                            + modelClasses
                            + " (set the model classes to the dataset's, in the same order)");
        }
        if (data.train().numClasses() != modelClasses.size()) {
            throw new IllegalArgumentException(
                    "training batches have "
                            + data.train().numClasses()
                            + " classes, the model "
                            + modelClasses.size());
        }
        if (data.train().batchesPerEpoch() < 1) {
            throw new IllegalArgumentException(
                    "the training set yields no batches (size " + data.train().size() + ")");
        }
    }

    private static List<String> lowercase(List<String> names) {
        return names.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** Starts a new run in an empty (or missing) run folder. */
    public TrainResult train() {
        if (Checkpoints.latest(runDir) != null) {
            throw new IllegalArgumentException(
                    "run folder "
                            + runDir
                            + " already holds a run: resume it (train --resume "
                            + runDir
                            + ") or choose another --out");
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create run folder " + runDir + ": " + e.getMessage(), e);
        }
        AtomicFiles.Unchecked.writeString(runDir.resolve(CONFIG_FILE), config.toJson());
        return loop(new TrainState(), null);
    }

    /**
     * Continues from the run folder's latest checkpoint (weights, optimizer, position, metrics).
     */
    public TrainResult resume() {
        Path checkpoint = Checkpoints.newestIntact(runDir, this::note);
        if (checkpoint == null) {
            throw new IllegalArgumentException(
                    "run folder "
                            + runDir
                            + " has no checkpoint to resume from ("
                            + runDir.resolve(Checkpoints.DIR)
                            + ")");
        }
        TrainState state = Checkpoints.readState(checkpoint);
        Checkpoints.loadWeights(checkpoint, network);
        note(
                "resuming "
                        + runDir
                        + " from "
                        + checkpoint.getFileName()
                        + " (step "
                        + state.globalStep
                        + ", epoch "
                        + (state.epoch + 1)
                        + ")");
        return loop(state, checkpoint);
    }

    private TrainResult loop(TrainState state, Path resumeFrom) {
        int perEpoch = data.train().batchesPerEpoch();
        long plannedSteps = (long) config.totalEpochs() * perEpoch;
        long totalSteps =
                config.maxSteps == null ? plannedSteps : Math.min(plannedSteps, config.maxSteps);
        classWeights =
                config.classWeights
                        ? Losses.balancedClassWeights(requireCounts(), config.classWeightPower)
                        : null;
        logitOffsets =
                config.logitAdjustment > 0
                        ? Losses.logitAdjustment(requireCounts(), config.logitAdjustment)
                        : null;
        trainStep = null; // built with these class weights on the first step
        ClassMap valMap =
                data.validation() == null
                        ? null
                        : ClassMap.of(
                                network.config().classes,
                                data.classes() == null ? network.config().classes : data.classes(),
                                false);
        long start = System.nanoTime();
        if (state.globalStep >= totalSteps) {
            state.finished = true;
        }
        if (config.keepBest && data.validation() == null) {
            note("no validation set: the output model is the last epoch, not the best one");
        }
        // A fresh run starts an empty metrics.jsonl; a resumed one cuts it back to its checkpoint.
        try (MetricsLog metrics =
                        new MetricsLog(
                                runDir.resolve(METRICS_FILE),
                                resumeFrom == null ? 0L : state.metricsBytes);
                NDManager base = NDManager.newBaseManager();
                TrainProgress bar = progress) {
            if (bar != null) {
                bar.start(totalSteps, state.globalStep);
            }
            while (!state.finished && state.stage < config.stages.size()) {
                TrainConfig.Stage stage = config.stages.get(state.stage);
                List<NamedParameter> params = stageParameters(stage);
                long stageSteps = (long) stage.epochs * perEpoch;
                try (AdamOptimizer optimizer = AdamOptimizer.of(config)) {
                    if (resumeFrom != null) {
                        Checkpoints.loadOptimizer(resumeFrom, optimizer, state.optimizerStep);
                        resumeFrom = null;
                    }
                    while (state.epochInStage < stage.epochs && !state.finished) {
                        runEpoch(
                                state,
                                stage,
                                params,
                                stageSteps,
                                totalSteps,
                                optimizer,
                                base,
                                metrics,
                                bar,
                                valMap);
                    }
                }
                if (!state.finished) {
                    state.stage++;
                    state.epochInStage = 0;
                    state.stageStep = 0;
                    state.optimizerStep = 0;
                }
            }
            state.finished = true;
        }
        Path model = writeOutputModel(state);
        TrainResult result =
                new TrainResult(
                        model,
                        state.globalStep,
                        keptEpoch(state),
                        lastLoss(state),
                        List.copyOf(state.history));
        writeSummary(result, (System.nanoTime() - start) / 1e9);
        return result;
    }

    private void runEpoch(
            TrainState state,
            TrainConfig.Stage stage,
            List<NamedParameter> params,
            long stageSteps,
            long totalSteps,
            AdamOptimizer optimizer,
            NDManager base,
            MetricsLog metrics,
            TrainProgress bar,
            ClassMap valMap) {
        int perEpoch = data.train().batchesPerEpoch();
        long windowStart = System.nanoTime();
        long windowImages = 0;
        Iterable<FaceBatch> batches = data.train().epoch(state.epoch, state.batchInEpoch);
        Iterator<FaceBatch> it = batches.iterator();
        try {
            while (it.hasNext() && state.batchInEpoch < perEpoch) {
                FaceBatch batch = it.next();
                double lr = learningRate(stage, state.stageStep, stageSteps);
                double loss = step(base, batch, params, optimizer, lr, state.globalStep);
                state.globalStep++;
                state.stageStep++;
                state.batchInEpoch++;
                state.optimizerStep = optimizer.step();
                state.epochLossSum += loss * batch.count();
                state.epochLossCount += batch.count();
                state.epochSamples += batch.count();
                windowImages += batch.count();
                boolean epochEnds = state.batchInEpoch >= perEpoch;
                boolean stop = state.globalStep >= totalSteps;
                if (state.globalStep % config.logEvery == 0 || epochEnds || stop) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    double ips = seconds > 0 ? windowImages / seconds : 0;
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("type", "step");
                    line.put("step", state.globalStep);
                    line.put("epoch", state.epoch + 1);
                    line.put("stage", stage.name);
                    line.put("batch", state.batchInEpoch);
                    line.put("loss", loss);
                    line.put("epochLoss", state.epochLossSum / state.epochLossCount);
                    line.put("lr", lr);
                    line.put("imagesPerSecond", round(ips));
                    metrics.write(line);
                    if (bar != null) {
                        bar.step(
                                state.globalStep,
                                state.epoch + 1,
                                state.epochLossSum / state.epochLossCount,
                                ips);
                    }
                    windowStart = System.nanoTime();
                    windowImages = 0;
                }
                if (epochEnds) {
                    endEpoch(state, stage, metrics, valMap, optimizer);
                    if (stop) {
                        state.finished = true;
                    }
                    return;
                }
                if (stop) {
                    state.finished = true;
                    state.metricsBytes = metrics.bytes();
                    Checkpoints.write(runDir, network, optimizer, state, config.keepCheckpoints);
                    return;
                }
                if (config.checkpointEvery > 0 && state.globalStep % config.checkpointEvery == 0) {
                    state.metricsBytes = metrics.bytes();
                    Checkpoints.write(runDir, network, optimizer, state, config.keepCheckpoints);
                }
            }
        } finally {
            if (it instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    note("closing the batch iterator failed: " + e);
                }
            }
        }
        if (state.batchInEpoch < perEpoch) {
            throw new IllegalStateException(
                    "epoch "
                            + (state.epoch + 1)
                            + " ended after "
                            + state.batchInEpoch
                            + " batches, the source promised "
                            + perEpoch);
        }
    }

    private void endEpoch(
            TrainState state,
            TrainConfig.Stage stage,
            MetricsLog metrics,
            ClassMap valMap,
            AdamOptimizer optimizer) {
        TrainState.EpochRecord rec = new TrainState.EpochRecord();
        rec.epoch = state.epoch + 1;
        rec.stage = state.stage;
        rec.step = state.globalStep;
        rec.trainLoss = state.epochLossSum / Math.max(1, state.epochLossCount);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "epoch");
        line.put("epoch", rec.epoch);
        line.put("stage", stage.name);
        line.put("step", state.globalStep);
        line.put("trainLoss", rec.trainLoss);
        boolean best = false;
        if (valMap != null) {
            Evaluation ev = Evaluation.run(network, data.validation(), valMap, null);
            ConfusionMatrix cm = ev.confusion;
            rec.valAccuracy = cm.accuracy();
            rec.valBalancedAccuracy = cm.balancedAccuracy();
            rec.valMacroF1 = cm.macroF1();
            line.put("valAccuracy", rec.valAccuracy);
            line.put("valBalancedAccuracy", rec.valBalancedAccuracy);
            line.put("valMacroF1", rec.valMacroF1);
            line.put("valSamples", cm.total());
            double metric =
                    switch (config.selectMetric) {
                        case "balanced_accuracy" -> rec.valBalancedAccuracy;
                        case "macro_f1" -> rec.valMacroF1;
                        default -> rec.valAccuracy;
                    };
            if (metric > state.bestMetric) {
                state.bestMetric = metric;
                state.bestEpoch = rec.epoch;
                best = true;
                if (config.keepBest) {
                    saveModel(runDir.resolve(BEST_DIR));
                }
            }
            line.put("best", best);
        }
        state.history.add(rec);
        metrics.write(line);
        LearningCurves.write(state.history, runDir.resolve(CURVES_FILE));
        note(
                String.format(
                        Locale.ROOT,
                        "epoch %d (%s): train loss %.4f%s",
                        rec.epoch,
                        stage.name,
                        rec.trainLoss,
                        rec.valAccuracy == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ", val accuracy %.4f, balanced %.4f%s",
                                        rec.valAccuracy,
                                        rec.valBalancedAccuracy,
                                        best ? " (best)" : "")));
        state.epoch++;
        state.epochInStage++;
        state.batchInEpoch = 0;
        state.epochLossSum = 0;
        state.epochLossCount = 0;
        state.epochSamples = 0;
        state.metricsBytes = metrics.bytes();
        Checkpoints.write(runDir, network, optimizer, state, config.keepCheckpoints);
    }

    /** One optimizer step (two forward/backward passes with SAM); returns the (first-pass) loss. */
    double step(
            NDManager base,
            FaceBatch batch,
            List<NamedParameter> params,
            AdamOptimizer optimizer,
            double lr,
            long globalStep) {
        try (NDManager m = base.newSubManager()) {
            NDArray images = batch.images(m);
            NDArray targets =
                    (config.softLabels
                                    ? batch.targets(m)
                                    : batch.labelArray(m).oneHot(batch.numClasses()))
                            .toType(DataType.FLOAT32, false);
            return trainStep().run(m, images, targets, params, optimizer, lr, globalStep);
        }
    }

    private TrainStep trainStep() {
        if (trainStep == null) {
            trainStep = new TrainStep(network, config, classWeights, logitOffsets);
        }
        return trainStep;
    }

    /**
     * Gradients only for the stage's parameters; everything else (the FR branch included) is
     * frozen.
     */
    List<NamedParameter> stageParameters(TrainConfig.Stage stage) {
        List<Parameter> chosen =
                "head".equals(stage.params)
                        ? network.headParameters()
                        : network.trainableParameters();
        if (chosen.isEmpty()) {
            throw new IllegalStateException(
                    "stage '"
                            + stage.name
                            + "': the network has no "
                            + stage.params
                            + " parameters");
        }
        Set<Parameter> trainable = Collections.newSetFromMap(new IdentityHashMap<>());
        trainable.addAll(network.trainableParameters());
        for (Parameter p : chosen) {
            if (!trainable.contains(p)) {
                throw new IllegalStateException(
                        "stage '"
                                + stage.name
                                + "': parameter "
                                + p.getName()
                                + " is not trainable (FR branch?)");
            }
        }
        Set<Parameter> chosenSet = Collections.newSetFromMap(new IdentityHashMap<>());
        chosenSet.addAll(chosen);
        for (NamedParameter p : Checkpoints.allParameters(network)) {
            NDArray a = p.parameter().getArray();
            boolean want = chosenSet.contains(p.parameter());
            if (a.hasGradient() != want) {
                a.setRequiresGradient(want);
            }
        }
        return Checkpoints.named(network, chosen);
    }

    /** Constant, or cosine from the stage lr to 0 over the stage's steps. */
    public static double learningRate(
            TrainConfig.Stage stage, long stageStep, long stageSteps, String schedule) {
        return learningRate(stage, stageStep, stageSteps, schedule, 0);
    }

    /**
     * As above after a linear warm-up: step s < warmup runs at lr * (s + 1) / warmup; the schedule
     * then runs over the remaining steps (cosine reaches 0 at the stage's end).
     */
    public static double learningRate(
            TrainConfig.Stage stage, long stageStep, long stageSteps, String schedule, int warmup) {
        long w = Math.min(warmup, Math.max(0, stageSteps - 1));
        if (stageStep < w) {
            return stage.lr * (stageStep + 1) / w;
        }
        stageStep -= w;
        stageSteps -= w;
        if ("cosine".equals(schedule) && stageSteps > 0) {
            return 0.5
                    * stage.lr
                    * (1 + Math.cos(Math.PI * Math.min(stageStep, stageSteps) / stageSteps));
        }
        return stage.lr;
    }

    private double learningRate(TrainConfig.Stage stage, long stageStep, long stageSteps) {
        return learningRate(stage, stageStep, stageSteps, config.schedule, config.warmupSteps);
    }

    private double[] requireCounts() {
        if (data.classCounts() == null) {
            throw new IllegalArgumentException(
                    "class-weighted loss needs the training set's class counts");
        }
        return data.classCounts();
    }

    private void saveModel(Path target) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        AtomicFiles.Unchecked.deleteTree(tmp);
        org.frafer.io.TempFiles.track(tmp);
        try {
            network.save(tmp);
            replaceDir(tmp, target);
        } finally {
            AtomicFiles.Unchecked.deleteTree(
                    tmp); // gone after the rename; a partial copy after a full disk
            org.frafer.io.TempFiles.untrack(tmp);
        }
    }

    private static void replaceDir(Path from, Path to) {
        Path old = to.resolveSibling("." + to.getFileName() + ".old");
        try {
            AtomicFiles.Unchecked.deleteTree(old);
            if (Files.exists(to)) {
                Files.move(to, old);
            }
            AtomicFiles.commit(from, to);
            AtomicFiles.Unchecked.deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + to + ": " + e.getMessage(), e);
        }
    }

    private Path writeOutputModel(TrainState state) {
        Path model = runDir.resolve(MODEL_DIR);
        Path best = runDir.resolve(BEST_DIR);
        if (config.keepBest && state.bestEpoch > 0 && Files.isDirectory(best)) {
            Path tmp = runDir.resolve("." + MODEL_DIR + ".tmp");
            AtomicFiles.Unchecked.deleteTree(tmp);
            org.frafer.io.TempFiles.track(tmp);
            try {
                copyTree(best, tmp);
                replaceDir(tmp, model);
            } finally {
                AtomicFiles.Unchecked.deleteTree(tmp);
                org.frafer.io.TempFiles.untrack(tmp);
            }
            note("output model " + model + " = best epoch " + state.bestEpoch);
        } else {
            saveModel(model);
            note("output model " + model + " = last weights (step " + state.globalStep + ")");
        }
        return model;
    }

    private int keptEpoch(TrainState state) {
        if (config.keepBest && state.bestEpoch > 0) {
            return state.bestEpoch;
        }
        return state.history.isEmpty()
                        || state.history.get(state.history.size() - 1).step != state.globalStep
                ? 0
                : state.history.get(state.history.size() - 1).epoch;
    }

    private static double lastLoss(TrainState state) {
        return state.history.isEmpty()
                ? Double.NaN
                : state.history.get(state.history.size() - 1).trainLoss;
    }

    private void writeSummary(TrainResult result, double seconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dataset", data.name());
        s.put("recipe", config.recipe);
        s.put("steps", result.steps());
        s.put("keptEpoch", result.keptEpoch());
        s.put("model", result.modelDir().toString());
        s.put("secondsThisSession", round(seconds));
        s.put("history", result.history());
        try {
            AtomicFiles.Unchecked.writeString(
                    runDir.resolve("summary.json"), TrainConfig.JSON.writeValueAsString(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private void note(String message) {
        if (log != null) {
            // With a progress bar on the same console, start on a fresh line.
            log.println(progress != null ? "\n" + message : message);
        }
    }
}
