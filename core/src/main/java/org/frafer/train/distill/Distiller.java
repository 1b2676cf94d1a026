package org.frafer.train.distill;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.frafer.io.AtomicFiles;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;
import org.frafer.model.EfficientNet;
import org.frafer.nn.NamedParameter;
import org.frafer.nn.Normalization;
import org.frafer.train.AdamOptimizer;
import org.frafer.train.TrainConfig;

/**
 * Trains an EfficientNet-B0 (timm names, {@code cfg.model.arch}) to reproduce a frozen teacher's
 * face descriptor: pooled 1280-d embedding -> linear projection {@code distill.proj} to the
 * teacher's width D -> loss {@code mean(1 - cos(student, teacher))} (equal to half the MSE between
 * the L2-normalised embeddings). Optimizer, learning rate, schedule, batch size, epochs, seed,
 * flips and checkpoint interval come from the {@link TrainConfig} (recipe {@code distill}); inputs
 * are normalised with {@code cfg.model.mean/std} at {@code cfg.model.inputSize}.
 *
 * <p>Run folder: {@code checkpoint.safetensors} + {@code checkpoint.json} (weights, Adam moments,
 * step; replaced atomically), {@code metrics.jsonl} (one line per logged step), and the output
 * {@code model/student.safetensors}: every B0 tensor by its timm name plus {@code
 * distill.proj.weight/bias}, metadata {@code inputSize}, {@code teacher}, {@code embedding}.
 * Resuming continues from the checkpoint with the same batch order and flips (both depend only on
 * seed, epoch and step).
 */
public final class Distiller implements AutoCloseable {
    public static final String STUDENT_FILE = "student.safetensors";
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String CHECKPOINT_STATE = "checkpoint.json";
    public static final String PROJ_WEIGHT = "distill.proj.weight";
    public static final String PROJ_BIAS = "distill.proj.bias";

    private final TrainConfig cfg;
    private final List<DistillImage> images;
    private final float[][] targets;
    private final Path runDir;
    private final PrintStream log;
    private final NDManager manager;
    private final EfficientNet student;
    private final Map<String, Parameter> params = new LinkedHashMap<>();

    /** Length of metrics.jsonl at the checkpoint (a resumed run cuts the file back to it). */
    private Long metricsBytes;

    /** One run: the total steps reached, the loss of every step this run took, the student file. */
    public record Result(long steps, List<Double> losses, Path studentFile) {}

    public Distiller(
            TrainConfig cfg,
            List<DistillImage> images,
            float[][] targets,
            Path runDir,
            PrintStream log) {
        if (images.size() != targets.length || images.isEmpty()) {
            throw new IllegalArgumentException(
                    "distillation needs one teacher embedding per image, got "
                            + images.size()
                            + " images and "
                            + targets.length
                            + " embeddings");
        }
        this.cfg = cfg.validate();
        this.images = images;
        this.targets = targets;
        this.runDir = runDir.toAbsolutePath().normalize();
        this.log = log;
        this.manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) cfg.seed);
        this.student = new EfficientNet(EfficientNet.Variant.of(cfg.model.arch), 0, 0, 0f);
        student.initialize(
                manager,
                DataType.FLOAT32,
                new Shape(1, 3, cfg.model.inputSize, cfg.model.inputSize));
        params.putAll(student.namedParameters());
        int d = targets[0].length;
        float bound = (float) (1 / Math.sqrt(1280)); // torch nn.Linear's default init
        params.put(
                PROJ_WEIGHT,
                parameter(PROJ_WEIGHT, Parameter.Type.WEIGHT, new Shape(d, 1280), bound));
        params.put(PROJ_BIAS, parameter(PROJ_BIAS, Parameter.Type.BIAS, new Shape(d), bound));
    }

    private Parameter parameter(String name, Parameter.Type type, Shape shape, float bound) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(shape)
                        .optInitializer(new UniformInitializer(bound))
                        .build();
        p.initialize(manager, DataType.FLOAT32);
        return p;
    }

    /** The student's parameters by file name (B0 timm names + distill.proj.*). */
    public Map<String, Parameter> parameters() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /**
     * Loads weights saved by an earlier run, e.g. to continue distilling (strict: every tensor must
     * match).
     */
    public void loadWeights(Path file) {
        Weights.load(params, SafeTensors.read(file), true, file.toString());
    }

    /** Projected student embeddings (N, D) of raw [0, 1] NCHW images; eval mode. */
    public NDArray embed(ParameterStore ps, NDArray raw, boolean training) {
        NDArray x = Normalization.normalize(raw, cfg.model.mean, cfg.model.std);
        NDArray pooled =
                student.pool(student.forwardLayers(ps, x, training, 1, EfficientNet.NUM_LAYERS));
        return Linear.linear(
                        pooled,
                        ps.getValue(params.get(PROJ_WEIGHT), pooled.getDevice(), training),
                        ps.getValue(params.get(PROJ_BIAS), pooled.getDevice(), training))
                .singletonOrThrow();
    }

    /** mean(1 - cos(a, b)) over rows. */
    static NDArray cosineLoss(NDArray student, NDArray teacher) {
        NDArray a = student.div(student.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
        NDArray b = teacher.div(teacher.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
        return a.mul(b).sum(new int[] {1}).neg().add(1).mean();
    }

    /**
     * Trains from scratch ({@code resume} false, the run folder must hold no checkpoint) or from
     * the run's checkpoint.
     */
    public Result run(boolean resume) {
        long startStep = 0;
        AdamOptimizer opt = AdamOptimizer.of(cfg);
        try {
            Files.createDirectories(runDir);
            if (resume) {
                startStep = readCheckpoint(opt);
            } else if (Files.exists(runDir.resolve(CHECKPOINT_STATE))) {
                throw new IllegalArgumentException(
                        "run folder "
                                + runDir
                                + " already holds a distillation run: resume it (train --resume "
                                + runDir
                                + ") or choose another --out");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create run folder " + runDir + ": " + e.getMessage(), e);
        }
        int batch = Math.min(cfg.batchSize, images.size());
        int perEpoch =
                images.size()
                        / batch; // drop the last partial batch: batch statistics stay comparable
        TrainConfig.Stage stage = cfg.stages.get(cfg.stages.size() - 1);
        long planned = (long) stage.epochs * perEpoch;
        long total = cfg.maxSteps == null ? planned : Math.min(planned, cfg.maxSteps);
        List<NamedParameter> trainable = new ArrayList<>();
        params.forEach(
                (name, p) -> {
                    if (p.requiresGradient()) {
                        trainable.add(new NamedParameter(name, p));
                    }
                });
        List<Double> losses = new ArrayList<>();
        int size = cfg.model.inputSize;
        long t0 = System.nanoTime();
        try (var metrics =
                new org.frafer.train.MetricsLog(
                        runDir.resolve("metrics.jsonl"), resume ? metricsBytes : null)) {
            for (long step = startStep; step < total; step++) {
                int epoch = (int) (step / perEpoch);
                int[] order = order(epoch);
                int first = (int) (step % perEpoch) * batch;
                Random flips = new Random(cfg.seed * 1_000_003L + step);
                float[] pixels = new float[batch * 3 * size * size];
                float[] teacher = new float[batch * targets[0].length];
                for (int i = 0; i < batch; i++) {
                    int idx = order[first + i];
                    float[] chw =
                            TeacherCache.load(
                                    images.get(idx), size, cfg.flip && flips.nextBoolean());
                    System.arraycopy(chw, 0, pixels, i * chw.length, chw.length);
                    System.arraycopy(
                            targets[idx], 0, teacher, i * targets[idx].length, targets[idx].length);
                }
                double lr =
                        "cosine".equals(cfg.schedule)
                                ? stage.lr
                                        * 0.5
                                        * (1 + Math.cos(Math.PI * step / Math.max(1, planned)))
                                : stage.lr;
                double loss;
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = m.create(pixels, new Shape(batch, 3, size, size));
                    NDArray t = m.create(teacher, new Shape(batch, targets[0].length));
                    List<NDArray> grads = new ArrayList<>();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        Engine.getInstance().setRandomSeed((int) (cfg.seed * 31 + step));
                        NDArray l = cosineLoss(embed(new ParameterStore(m, false), x, true), t);
                        loss = l.getFloat();
                        gc.backward(l);
                    }
                    for (NamedParameter p : trainable) {
                        grads.add(p.parameter().getArray().getGradient());
                    }
                    opt.update(trainable, grads, lr);
                }
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException(
                            "distillation loss is "
                                    + loss
                                    + " at step "
                                    + (step + 1)
                                    + " (lr "
                                    + lr
                                    + "): lower --lr");
                }
                losses.add(loss);
                if ((step + 1) % cfg.logEvery == 0 || step + 1 == total) {
                    Map<String, Object> rec = new LinkedHashMap<>();
                    rec.put("step", step + 1);
                    rec.put("epoch", epoch + 1);
                    rec.put("loss", loss);
                    rec.put("lr", lr);
                    metrics.write(rec);
                    if (log != null) {
                        log.printf(
                                Locale.ROOT,
                                "distill step %d/%d epoch %d loss %.4f lr %.2e (%.1f img/s)%n",
                                step + 1,
                                total,
                                epoch + 1,
                                loss,
                                lr,
                                (step + 1 - startStep) * batch / ((System.nanoTime() - t0) / 1e9));
                    }
                }
                boolean epochEnd = (step + 1) % perEpoch == 0;
                if (step + 1 == total
                        || epochEnd
                        || (cfg.checkpointEvery > 0 && (step + 1) % cfg.checkpointEvery == 0)) {
                    writeCheckpoint(opt, step + 1, metrics.bytes());
                }
            }
        } finally {
            opt.close();
        }
        Path out = runDir.resolve("model").resolve(STUDENT_FILE);
        save(out);
        if (log != null) {
            log.println(
                    "student "
                            + out
                            + " ("
                            + (total - startStep)
                            + " steps this run, "
                            + total
                            + " in all)");
        }
        return new Result(total, losses, out);
    }

    /** The image order of an epoch: a shuffle seeded by (seed, epoch) only. */
    int[] order(int epoch) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            idx.add(i);
        }
        java.util.Collections.shuffle(idx, new Random(cfg.seed * 7919L + epoch));
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The student file: B0 tensors by timm name + the projection; metadata for FR use. */
    public void save(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "frafer-distilled-fr");
        meta.put("arch", cfg.model.arch);
        meta.put("inputSize", Integer.toString(cfg.model.inputSize));
        meta.put("teacher", cfg.teacher == null ? "" : cfg.teacher);
        meta.put("embedding", Long.toString(params.get(PROJ_BIAS).getArray().getShape().get(0)));
        SafeTensors.write(file, Weights.export(params), SafeTensors.DType.F32, meta);
    }

    private void writeCheckpoint(AdamOptimizer opt, long step, long metricsBytes) {
        Map<String, SafeTensors.Tensor> all = new LinkedHashMap<>(Weights.export(params));
        try (NDManager m = manager.newSubManager()) {
            NDList state = opt.stateArrays();
            for (NDArray a : state) {
                all.put(
                        "optimizer." + a.getName(),
                        new SafeTensors.Tensor("F32", a.getShape().getShape(), a.toFloatArray()));
            }
        }
        SafeTensors.write(
                runDir.resolve(CHECKPOINT),
                all,
                SafeTensors.DType.F32,
                Map.of("step", Long.toString(step)));
        ObjectNode st = TrainConfig.JSON.createObjectNode();
        st.put("step", step);
        st.put("optimizerStep", opt.step());
        st.put("metricsBytes", metricsBytes);
        AtomicFiles.Unchecked.writeString(runDir.resolve(CHECKPOINT_STATE), st.toPrettyString());
    }

    private long readCheckpoint(AdamOptimizer opt) throws IOException {
        Path state = runDir.resolve(CHECKPOINT_STATE);
        if (!Files.exists(state)) {
            throw new IllegalArgumentException(
                    "run folder "
                            + runDir
                            + " has no distillation checkpoint to resume from ("
                            + state
                            + ")");
        }
        var st = TrainConfig.JSON.readTree(state.toFile());
        Map<String, SafeTensors.Tensor> all = SafeTensors.read(runDir.resolve(CHECKPOINT));
        Map<String, SafeTensors.Tensor> weights = new LinkedHashMap<>();
        NDList moments = new NDList();
        for (var e : all.entrySet()) {
            if (e.getKey().startsWith("optimizer.")) {
                NDArray a = manager.create(e.getValue().data(), new Shape(e.getValue().shape()));
                a.setName(e.getKey().substring("optimizer.".length()));
                moments.add(a);
            } else {
                weights.put(e.getKey(), e.getValue());
            }
        }
        Weights.load(params, weights, true, runDir.resolve(CHECKPOINT).toString());
        opt.loadState(moments, st.path("optimizerStep").asLong());
        moments.close();
        long step = st.path("step").asLong();
        metricsBytes = st.path("metricsBytes").asLong();
        if (log != null) {
            log.println("resuming distillation in " + runDir + " at step " + step);
        }
        return step;
    }

    @Override
    public void close() {
        manager.close();
    }
}
