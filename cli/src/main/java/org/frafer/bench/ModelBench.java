package org.frafer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.model.FraFerNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import org.frafer.train.AdamOptimizer;
import org.frafer.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fra-fer model bench}: inference images/s (batch 1 and 32) and training images/s (batch 8,
 * Adam) per fusion, after warm-up, min/median over timed repetitions, plus the process's peak RSS
 * (VmHWM, process-wide and monotone: all networks live in one process). One NDManager sub-manager
 * per batch. Repetitions alternate between fusions so machine load hits them alike; still, compare
 * fusions within one run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmark inference and training speed per fusion (none vs fra by default).")
public final class ModelBench implements Callable<Integer> {
    @Option(
            names = "--fusions",
            split = ",",
            defaultValue = "none,fra",
            description = "fusions to compare (default: ${DEFAULT-VALUE})")
    List<String> fusions;

    @Option(
            names = "--arch",
            defaultValue = "tf_efficientnet_b0",
            completionCandidates = org.frafer.model.Registry.FerBackboneNames.class,
            description = "FER backbone: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(
            names = "--fr",
            defaultValue = "tf_efficientnet_b0",
            completionCandidates = org.frafer.model.Registry.FrBackboneNames.class,
            description =
                    "FR backbone: ${COMPLETION-CANDIDATES}; random weights unless --fr-weights (default: ${DEFAULT-VALUE})")
    String fr;

    @Option(names = "--fr-weights", description = "FR weights (safetensors)")
    Path frWeights;

    @Option(
            names = "--p",
            defaultValue = "1",
            description = "FR layer for fra (default: ${DEFAULT-VALUE})")
    int p;

    @Option(
            names = "--q",
            defaultValue = "1",
            description = "FER layer of the fusion (default: ${DEFAULT-VALUE})")
    int q;

    @Option(
            names = "--size",
            defaultValue = "224",
            description = "input side (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
            names = "--infer-batches",
            split = ",",
            defaultValue = "1,32",
            description = "inference batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> inferBatches;

    @Option(
            names = "--train-batch",
            defaultValue = "8",
            description = "training batch size, 0 = skip (default: ${DEFAULT-VALUE})")
    int trainBatch;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "untimed repetitions (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--reps",
            defaultValue = "5",
            description = "timed repetitions, >= 5 recommended (default: ${DEFAULT-VALUE})")
    int reps;

    /** One measured row. */
    public record Row(
            String fusion,
            String mode,
            int batch,
            double minSeconds,
            double medianSeconds,
            long peakRssKb) {
        double bestImagesPerSecond() {
            return batch / minSeconds;
        }

        double medianImagesPerSecond() {
            return batch / medianSeconds;
        }
    }

    @Override
    public Integer call() {
        if (reps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--reps must be >= 1 and --warmup >= 0");
        }
        System.out.printf(
                Locale.ROOT,
                "model bench: %s %dx%d, FR %s%s, p=%d q=%d, warm-up %d, timed reps %d, threads OMP_NUM_THREADS=%s%n",
                arch,
                size,
                size,
                fr,
                frWeights == null ? " (random weights)" : "",
                p,
                q,
                warmup,
                reps,
                System.getenv("OMP_NUM_THREADS"));
        List<FraFerNetwork> nets = new ArrayList<>();
        try (NDManager base = NDManager.newBaseManager()) {
            for (String fusion : fusions) {
                ModelConfig c = new ModelConfig();
                c.arch = arch;
                c.fusion = fusion.trim();
                c.p = p;
                c.q = q;
                c.inputSize = size;
                c.frBackbone = fr;
                c.frWeights = frWeights == null ? null : frWeights.toAbsolutePath().toString();
                try {
                    nets.add(Networks.create(c));
                } catch (IllegalArgumentException e) {
                    System.err.println("fra-fer model bench: " + e.getMessage());
                    return 2;
                }
            }
            // repetitions are interleaved across fusions (none, fra, none, fra, ...) so that load
            // from
            // other processes hits all of them alike
            List<Row> rows = new ArrayList<>();
            for (int b : inferBatches) {
                double[][] t = new double[nets.size()][reps];
                for (int i = 0; i < warmup + reps; i++) {
                    for (int n = 0; n < nets.size(); n++) {
                        double sec = inferOnce(nets.get(n), base, b);
                        if (i >= warmup) {
                            t[n][i - warmup] = sec;
                        }
                    }
                }
                for (int n = 0; n < nets.size(); n++) {
                    rows.add(row(nets.get(n).config().fusion, "infer", b, t[n]));
                    System.out.println(format(rows.get(rows.size() - 1)));
                }
            }
            if (trainBatch > 0) {
                rows.addAll(training(nets, trainBatch));
            }
            System.out.println();
            System.out.println(table(rows));
        } finally {
            nets.forEach(FraFerNetwork::close);
        }
        return 0;
    }

    private double inferOnce(FraFerNetwork net, NDManager base, int batch) {
        try (NDManager m = base.newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(batch, 3, size, size));
            long t0 = System.nanoTime();
            net.predict(x).logits().toFloatArray(); // forces the computation
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private List<Row> training(List<FraFerNetwork> nets, int batch) {
        double[][] t = new double[nets.size()][reps];
        List<AdamOptimizer> optimizers = new ArrayList<>();
        try (NDManager base = NDManager.newBaseManager()) {
            for (int n = 0; n < nets.size(); n++) {
                optimizers.add(new AdamOptimizer("adam", 0.9, 0.999, 1e-8, 0));
            }
            for (int i = 0; i < warmup + reps; i++) {
                for (int n = 0; n < nets.size(); n++) {
                    double sec = trainOnce(nets.get(n), optimizers.get(n), base, batch, i);
                    if (i >= warmup) {
                        t[n][i - warmup] = sec;
                    }
                }
            }
        } finally {
            optimizers.forEach(AdamOptimizer::close);
        }
        List<Row> rows = new ArrayList<>();
        for (int n = 0; n < nets.size(); n++) {
            rows.add(row(nets.get(n).config().fusion, "train", batch, t[n]));
            System.out.println(format(rows.get(rows.size() - 1)));
        }
        return rows;
    }

    /** One timed step of the trainer's own code (train.TrainStep) on random images and labels. */
    private double trainOnce(
            FraFerNetwork net, AdamOptimizer adam, NDManager base, int batch, long step) {
        try (NDManager m = base.newSubManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(batch, 3, size, size));
            int k = net.config().numClasses();
            NDArray y =
                    m.randomInteger(0, k, new Shape(batch), ai.djl.ndarray.types.DataType.INT64)
                            .oneHot(k)
                            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            long t0 = System.nanoTime();
            new TrainStep(net, PerformanceBench.BENCH_TRAINING, null)
                    .run(m, x, y, TrainStep.trainableParameters(net), adam, 1e-5, step);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static Row row(String fusion, String mode, int batch, double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        double median =
                s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Row(fusion, mode, batch, s[0], median, peakRssKb());
    }

    /** VmHWM of this process in kB (peak resident set), or -1 when /proc is unavailable. */
    public static long peakRssKb() {
        return procKb(Path.of("/proc/self/status"), "VmHWM:");
    }

    /** A "Key: 123 kB" line of a /proc file as kB, or -1 when absent or unreadable. */
    public static long procKb(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String format(Row r) {
        return String.format(
                Locale.ROOT,
                "  %-7s %-5s batch %2d: best %7.1f img/s (%.3f s), median %7.1f img/s (%.3f s), peak RSS %,d MB",
                r.fusion,
                r.mode,
                r.batch,
                r.bestImagesPerSecond(),
                r.minSeconds,
                r.medianImagesPerSecond(),
                r.medianSeconds,
                r.peakRssKb / 1024);
    }

    /**
     * Markdown table with the FRA overhead relative to the first fusion (usually none), by median.
     */
    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| fusion | mode | batch | img/s best (min time) | img/s median | overhead vs ")
                .append(rows.isEmpty() ? "-" : rows.get(0).fusion)
                .append(" (median) | peak RSS MB |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Row baseRow =
                    rows.stream()
                            .filter(
                                    b ->
                                            b.fusion.equals(rows.get(0).fusion)
                                                    && b.mode.equals(r.mode)
                                                    && b.batch == r.batch)
                            .findFirst()
                            .orElse(r);
            double overhead = (r.medianSeconds / baseRow.medianSeconds - 1) * 100;
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %.1f | %.1f | %+.1f%% | %,d |%n",
                            r.fusion,
                            r.mode,
                            r.batch,
                            r.bestImagesPerSecond(),
                            r.medianImagesPerSecond(),
                            overhead,
                            r.peakRssKb / 1024));
        }
        return sb.toString();
    }
}
