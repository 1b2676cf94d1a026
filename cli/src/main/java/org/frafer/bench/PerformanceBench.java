package org.frafer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.FraFerNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import org.frafer.train.AdamOptimizer;
import org.frafer.train.TrainConfig;
import org.frafer.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fra-fer bench}: FRA-FER against PyTorch eager (timm tf_efficientnet_b0,
 * tools/bench/torch_bench.py) and the TF.js wasm pipeline of @vladmandic/human
 * (tools/bench/tfjs-pipeline), in one run and one table.
 *
 * <p>Rounds: each round runs all of our cases, then the PyTorch script, then the TF.js script (as
 * subprocesses, their JSON lines parsed), so ratios ours/peer come from back-to-back runs; the
 * table shows per-round-median ratios' median and range. Within our cases, plain B0 and FRA-FER
 * alternate repetition by repetition. Every case: warm-up calls, then timed repetitions (each at
 * least --min-images images), min/median/max throughput. Peers that are missing (no Python torch,
 * no Node packages) are reported and skipped; our figures still print.
 *
 * <p>Size: Over 400 lines (issue 14 split not done yet): the command, the timing harness, peer
 * set-up and machine probing; PeerProcess and BenchResults are already apart, the harness and
 * machine probe are the next pieces to move out.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "FRA-FER vs plain EfficientNet-B0 vs PyTorch eager and TF.js (inference, training step, photo pipeline) in one table.")
public final class PerformanceBench implements Callable<Integer> {
    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "interleaved rounds ours/peers (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "untimed calls per case and round (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--reps",
            defaultValue = "5",
            description = "timed repetitions per case and round (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(
            names = "--min-images",
            defaultValue = "8",
            description =
                    "a repetition repeats the call until it saw this many images, as torch_bench.py (default: ${DEFAULT-VALUE})")
    int minImages;

    @Option(
            names = "--infer-batches",
            split = ",",
            defaultValue = "32,8,1",
            description =
                    "inference batch sizes, in run order for both sides (default: ${DEFAULT-VALUE}; batch 1 first slowed batch 32 in our JVM)")
    List<Integer> inferBatches;

    @Option(
            names = "--train-batches",
            split = ",",
            defaultValue = "8,32",
            description = "training batch sizes, empty = none (default: ${DEFAULT-VALUE})")
    List<Integer> trainBatches;

    @Option(
            names = "--sizes",
            split = ",",
            description = "input sides (default: 224 and the default model's input size)")
    List<Integer> sizes;

    @Option(
            names = "--fr",
            completionCandidates = org.frafer.model.Registry.FrBackboneNames.class,
            defaultValue = "hse-faceres",
            description =
                    "FR backbone of the FRA-FER rows: ${COMPLETION-CANDIDATES} (default: the default model's, else ${DEFAULT-VALUE})")
    String fr;

    @Option(
            names = "--no-fold",
            description =
                    "predict without folding BatchNorm into the convolutions (to measure the fold)")
    boolean noFold;

    @Option(
            names = "--chunk",
            defaultValue = "0",
            description =
                    "images per network pass inside a batch in the network rows (FraFerNetwork.predictLogits); 0 = whole batch (default)")
    int chunk;

    @Option(
            names = "--skip",
            split = ",",
            description = "parts to skip: infer, train, pipeline, torch, tfjs")
    List<String> skip = new ArrayList<>();

    @Option(
            names = "--samples",
            description = "photos for the pipeline (default: assets/samples/*.jpg)")
    Path samples;

    @Option(
            names = "--min-face-score",
            defaultValue = "0.2",
            description =
                    "face score threshold, as the TF.js peer's minConfidence (default: ${DEFAULT-VALUE})")
    float minFaceScore;

    @Option(
            names = "--pipeline-batch",
            defaultValue = "32",
            description =
                    "faces per network batch in the photo pipeline (default: ${DEFAULT-VALUE})")
    int pipelineBatch;

    @Option(
            names = "--python",
            description =
                    "Python with torch + timm (default: $FRAFER_PYTHON, else tools/.venv/bin/python)")
    Path python;

    @Option(
            names = "--node",
            defaultValue = "node",
            description = "Node.js executable (default: ${DEFAULT-VALUE})")
    String node;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description =
                    "PyTorch peer threads (ours: OMP_NUM_THREADS) (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
            names = "--peer-timeout",
            defaultValue = "600",
            description = "seconds per peer run (default: ${DEFAULT-VALUE})")
    long peerTimeout;

    @Option(names = "--json", description = "also write every sample as a JSON line to this file")
    Path jsonOut;

    private final BenchResults results = new BenchResults();

    /**
     * Plain Adam steps as the paper's recipe runs them: no SAM, no label smoothing, no class
     * weights.
     */
    static final TrainConfig BENCH_TRAINING = new TrainConfig();

    private final Map<String, Long> peakRssKb = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || reps < 1 || warmup < 0 || minImages < 1) {
            throw new IllegalArgumentException(
                    "--rounds and --reps must be >= 1, --warmup >= 0, --min-images >= 1");
        }
        Path repo = repoRoot();
        ModelConfig defaults = defaultModelConfig();
        List<Integer> sideList =
                sizes != null ? sizes : Stream.of(224, defaults.inputSize).distinct().toList();
        System.out.println("fra-fer bench: " + machine());
        System.out.printf(
                Locale.ROOT,
                "  rounds %d, warm-up %d, timed reps %d (>= %d images each), inference batches %s, training batches %s, sizes %s%n",
                rounds,
                warmup,
                reps,
                minImages,
                inferBatches,
                trainBatches,
                sideList);
        System.out.printf(
                Locale.ROOT,
                "  ours: DJL %s + PyTorch %s, OMP_NUM_THREADS=%s, tcmalloc %s, FRA-FER = fra p=%d q=%d with FR %s, BatchNorm %s%n",
                Engine.getDjlVersion(),
                Engine.getInstance().getVersion(),
                System.getenv("OMP_NUM_THREADS"),
                tcmalloc() ? "preloaded" : "NOT preloaded (run through bin/fra-fer)",
                defaults.p,
                defaults.q,
                fr,
                noFold ? "not folded (--no-fold)" : "folded into the convolutions");
        System.out.printf(
                Locale.ROOT,
                "  inference runs batches in chunks of %s images (--chunk)%n",
                chunk <= 0 ? "all" : Integer.toString(chunk));
        PeerSetup torch = torchSetup(repo);
        PeerSetup tfjs = tfjsSetup(repo);
        System.out.println("  peer PyTorch: " + torch.describe());
        System.out.println("  peer TF.js:   " + tfjs.describe());
        if (!torch.available) {
            notes.add(
                    "PyTorch peer "
                            + torch.describe()
                            + " -> our figures only for the network rows");
        }
        if (!tfjs.available) {
            notes.add(
                    "TF.js peer "
                            + tfjs.describe()
                            + " -> our figures only for the photo pipeline");
        }
        List<Path> photos = skip.contains("pipeline") ? List.of() : photos();

        try (Ours ours = new Ours(sideList, defaults)) {
            for (int round = 1; round <= rounds; round++) {
                System.out.printf(
                        Locale.ROOT,
                        "round %d/%d (load average %s)%n",
                        round,
                        rounds,
                        loadAverage());
                for (int size : sideList) {
                    if (!skip.contains("infer")) {
                        ours.inference(round, size);
                        peakRssKb.putIfAbsent(
                                BenchResults.OURS + " after inference", ModelBench.peakRssKb());
                    }
                    if (!skip.contains("train")) {
                        ours.training(round, size);
                        peakRssKb.putIfAbsent(
                                BenchResults.OURS + " after training", ModelBench.peakRssKb());
                    }
                }
                if (!photos.isEmpty()) {
                    ours.pipeline(round, photos);
                }
                peakRssKb.put(BenchResults.OURS, ModelBench.peakRssKb());
                if (torch.available) {
                    for (int size : sideList) {
                        runPeer(
                                torch,
                                torchCommand(torch, size),
                                round,
                                BenchResults.TORCH,
                                BenchResults::parseTorchLine);
                    }
                }
                if (tfjs.available && !photos.isEmpty()) {
                    runPeer(
                            tfjs,
                            tfjsCommand(tfjs, photos),
                            round,
                            BenchResults.TFJS,
                            BenchResults::parseTfjsLine);
                }
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "Results (load average at the end %s); ratio = our throughput / the peer's, per round, median and range over rounds:%n%n",
                loadAverage());
        System.out.println(results.table());
        String overhead = results.overheadTable();
        if (!overhead.isEmpty()) {
            System.out.println("FRA-FER cost over plain B0 (1 - fra/none throughput):\n");
            System.out.println(overhead);
        }
        System.out.println("Peak RSS: " + rssLine());
        System.out.println();
        System.out.println(targets());
        notes.forEach(n -> System.out.println("note: " + n));
        if (jsonOut != null) {
            writeJson(jsonOut);
        }
        return 0;
    }

    // ------------------------------------------------------------------ our cases

    /**
     * Our networks: separate instances for inference (folded) and training (weights change), plus
     * the recognizer.
     */
    private final class Ours implements AutoCloseable {
        private final NDManager base = NDManager.newBaseManager();
        private final Map<String, FraFerNetwork> infer = new LinkedHashMap<>();
        private final Map<String, FraFerNetwork> train = new LinkedHashMap<>();
        private final Map<String, AdamOptimizer> optimizers = new LinkedHashMap<>();
        private long benchSteps;
        private final ModelConfig defaults;
        private EmotionRecognizer recognizer;
        private List<BufferedImage> decoded;

        Ours(List<Integer> sideList, ModelConfig defaults) {
            this.defaults = defaults;
            for (int size : sideList) {
                for (String fusion : List.of("none", "fra")) {
                    String key = fusion + "@" + size;
                    FraFerNetwork n = create(fusion, size);
                    if (!noFold) {
                        n.foldForInference();
                    }
                    infer.put(key, n);
                    if (!trainBatches.isEmpty() && !skip.contains("train")) {
                        FraFerNetwork t = create(fusion, size);
                        for (Parameter p : t.trainableParameters()) {
                            p.getArray().setRequiresGradient(true);
                        }
                        train.put(key, t);
                        optimizers.put(key, new AdamOptimizer("adam", 0.9, 0.999, 1e-8, 0));
                    }
                }
            }
        }

        private FraFerNetwork pipelineNetwork() {
            try {
                Path dir = org.frafer.infer.DefaultModel.locate();
                FraFerNetwork net = org.frafer.model.Networks.load(dir);
                notes.add(
                        "photo pipeline: the default model ("
                                + net.config().arch
                                + ", fusion "
                                + net.config().fusion
                                + ", "
                                + net.config().inputSize
                                + " px), as `fra-fer predict` uses it");
                return net;
            } catch (RuntimeException e) {
                notes.add(
                        "photo pipeline: no default model ("
                                + e.getMessage()
                                + "); an FRA-FER B0 with random weights at "
                                + defaults.inputSize
                                + " px");
                return create("fra", defaults.inputSize);
            }
        }

        private FraFerNetwork create(String fusion, int size) {
            ModelConfig c = new ModelConfig();
            c.fusion = fusion;
            c.p = defaults.p;
            c.q = defaults.q;
            c.inputSize = size;
            c.frBackbone = fr;
            return Networks.create(c);
        }

        void inference(int round, int size) {
            for (int b : inferBatches) {
                int calls = Math.max(1, (minImages + b - 1) / b);
                Map<String, double[]> rates = new LinkedHashMap<>();
                infer.keySet().stream()
                        .filter(k -> k.endsWith("@" + size))
                        .forEach(k -> rates.put(k, new double[reps]));
                try (NDManager m = base.newSubManager()) {
                    NDArray x = m.randomUniform(0, 1, new Shape(b, 3, size, size));
                    for (int i = 0; i < warmup + reps; i++) {
                        for (String k :
                                rates.keySet()) { // none, fra, none, fra, ...: load hits both alike
                            FraFerNetwork net = infer.get(k);
                            long t0 = System.nanoTime();
                            for (int c = 0; c < calls; c++) {
                                try (NDManager call = m.newSubManager()) {
                                    x.tempAttach(call);
                                    net.predictLogits(x, chunk)
                                            .toFloatArray(); // forces the computation
                                }
                            }
                            double sec = (System.nanoTime() - t0) / 1e9;
                            if (i >= warmup) {
                                rates.get(k)[i - warmup] = (double) b * calls / sec;
                            }
                        }
                    }
                }
                rates.forEach(
                        (k, r) ->
                                record(
                                        BenchResults.modelCase(
                                                "infer", k.startsWith("fra"), b, size),
                                        "img/s",
                                        round,
                                        r));
            }
        }

        void training(int round, int size) {
            for (int b : trainBatches) {
                int calls = Math.max(1, (minImages + b - 1) / b);
                Map<String, double[]> rates = new LinkedHashMap<>();
                train.keySet().stream()
                        .filter(k -> k.endsWith("@" + size))
                        .forEach(k -> rates.put(k, new double[reps]));
                try (NDManager m = base.newSubManager()) {
                    NDArray x = m.randomUniform(0, 1, new Shape(b, 3, size, size));
                    int k0 = (int) defaults.numClasses();
                    NDArray y =
                            m.randomInteger(0, k0, new Shape(b), DataType.INT64)
                                    .oneHot(k0)
                                    .toType(DataType.FLOAT32, false);
                    for (int i = 0; i < warmup + reps; i++) {
                        for (String k : rates.keySet()) {
                            long t0 = System.nanoTime();
                            for (int c = 0; c < calls; c++) {
                                trainStep(train.get(k), optimizers.get(k), m, x, y);
                            }
                            double sec = (System.nanoTime() - t0) / 1e9;
                            if (i >= warmup) {
                                rates.get(k)[i - warmup] = (double) b * calls / sec;
                            }
                        }
                    }
                }
                rates.forEach(
                        (k, r) ->
                                record(
                                        BenchResults.modelCase(
                                                "train", k.startsWith("fra"), b, size),
                                        "img/s",
                                        round,
                                        r));
            }
        }

        /**
         * The trainer's own step (train.TrainStep: forward, cross-entropy, backward, Adam update,
         * zeroed gradients).
         */
        private void trainStep(
                FraFerNetwork net, AdamOptimizer adam, NDManager parent, NDArray x, NDArray y) {
            try (NDManager m = parent.newSubManager()) {
                x.tempAttach(m);
                y.tempAttach(m);
                new TrainStep(net, BENCH_TRAINING, null)
                        .run(m, x, y, TrainStep.trainableParameters(net), adam, 1e-4, benchSteps++);
            }
        }

        void pipeline(int round, List<Path> photos) {
            if (recognizer == null) {
                // What `fra-fer predict` runs: the installed default model, else an FRA-FER B0 of
                // the default shape.
                FraFerNetwork net = pipelineNetwork();
                recognizer =
                        EmotionRecognizer.builder()
                                .network(net)
                                .minFaceScore(minFaceScore)
                                .batchSize(pipelineBatch)
                                .build();
                if (noFold) {
                    net.unfold();
                }
                decoded = new ArrayList<>();
                for (Path p : photos) {
                    decoded.add(Images.read(p, Images.DEFAULT_MAX_PIXELS));
                }
            }
            double[] withDecode = new double[reps];
            double[] fromDecoded = new double[reps];
            int faces = 0;
            for (int i = 0; i < warmup + reps; i++) {
                long t0 = System.nanoTime();
                int n =
                        recognizer.predictAll(photos).stream()
                                .mapToInt(r -> r.faces().size())
                                .sum();
                double a = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                List<FaceCrop> crops = new ArrayList<>();
                for (BufferedImage img : decoded) {
                    crops.addAll(recognizer.faces(img)); // faces of all photos classified together
                }
                int n2 = recognizer.classify(crops).size();
                double b = (System.nanoTime() - t0) / 1e9;
                if (n == 0 || n != n2) {
                    throw new IllegalStateException(
                            "photo pipeline found "
                                    + n
                                    + " faces with decoding and "
                                    + n2
                                    + " without");
                }
                faces = n;
                if (i >= warmup) {
                    withDecode[i - warmup] = n / a;
                    fromDecoded[i - warmup] = n2 / b;
                }
            }
            if (round == 1) {
                System.out.printf(
                        Locale.ROOT,
                        "  ours: %d faces in %d photos (min face score %.2f, network batch %d)%n",
                        faces,
                        photos.size(),
                        minFaceScore,
                        pipelineBatch);
            }
            record(BenchResults.PIPELINE_DECODE, "faces/s", round, withDecode);
            record(BenchResults.PIPELINE_DECODED, "faces/s", round, fromDecoded);
        }

        private void record(String caseKey, String unit, int round, double[] rates) {
            results.declareCase(caseKey, unit);
            BenchResults.Sample s =
                    BenchResults.fromRates(BenchResults.OURS, caseKey, round, rates);
            results.add(s);
            System.out.printf(
                    Locale.ROOT,
                    "  %-18s %-36s min %8.1f  median %8.1f  max %8.1f %s%n",
                    s.system(),
                    caseKey,
                    s.min(),
                    s.median(),
                    s.max(),
                    unit);
        }

        @Override
        public void close() {
            infer.values().forEach(EmotionNetwork::close);
            train.values().forEach(EmotionNetwork::close);
            optimizers.values().forEach(AdamOptimizer::close);
            if (recognizer != null) {
                recognizer.close();
            }
            base.close();
        }
    }

    // ------------------------------------------------------------------ peers

    /** A peer script, or why it cannot run. */
    record PeerSetup(boolean available, String executable, Path script, String why) {
        String describe() {
            return available ? executable + " " + script : "not run: " + why;
        }
    }

    PeerSetup torchSetup(Path repo) {
        Path script = repo.resolve("tools/bench/torch_bench.py");
        if (skip.contains("torch")) {
            return new PeerSetup(false, null, script, "--skip torch");
        }
        Path py = python;
        if (py == null) {
            String env = System.getenv("FRAFER_PYTHON");
            py =
                    env != null && !env.isBlank()
                            ? Path.of(env)
                            : repo.resolve("tools/.venv/bin/python");
        }
        py = py.toAbsolutePath(); // the peer runs in its script's directory: a relative
        // path means the caller's
        if (!Files.isRegularFile(script)) {
            return new PeerSetup(false, null, script, script + " not found");
        }
        if (!Files.isExecutable(py)) {
            return new PeerSetup(
                    false,
                    null,
                    script,
                    "no Python at "
                            + py
                            + " (create tools/.venv with torch + timm, or pass --python / FRAFER_PYTHON)");
        }
        PeerProcess.Result probe =
                PeerProcess.run(
                        List.of(
                                py.toString(),
                                "-c",
                                "import torch, timm; print(torch.__version__, timm.__version__)"),
                        repo,
                        Map.of(),
                        120);
        if (!probe.ok()) {
            return new PeerSetup(
                    false,
                    null,
                    script,
                    py + " cannot import torch and timm (" + probe.errorSummary() + ")");
        }
        return new PeerSetup(
                true, py.toString(), script, "torch/timm " + String.join(" ", probe.stdout()));
    }

    private PeerSetup tfjsSetup(Path repo) {
        Path script = repo.resolve("tools/bench/tfjs-pipeline/tfjs-pipeline.js");
        if (skip.contains("tfjs")) {
            return new PeerSetup(false, null, script, "--skip tfjs");
        }
        if (!Files.isRegularFile(script)) {
            return new PeerSetup(false, null, script, script + " not found");
        }
        if (!Files.isDirectory(script.getParent().resolve("node_modules/@vladmandic/human"))) {
            return new PeerSetup(
                    false,
                    null,
                    script,
                    "its npm packages are not installed (npm ci in " + script.getParent() + ")");
        }
        String nodeExe = executable(node);
        PeerProcess.Result probe =
                PeerProcess.run(List.of(nodeExe, "--version"), repo, Map.of(), 60);
        if (!probe.ok()) {
            return new PeerSetup(
                    false,
                    null,
                    script,
                    "no Node.js '" + node + "' (" + probe.errorSummary() + ")");
        }
        return new PeerSetup(true, nodeExe, script, "node " + String.join(" ", probe.stdout()));
    }

    /**
     * A peer executable as given: a bare name is looked up on PATH, a path (with a separator) is
     * made absolute against the current directory, since the peers run in their scripts'
     * directories.
     */
    static String executable(String given) {
        return given.contains("/") ? Path.of(given).toAbsolutePath().toString() : given;
    }

    private List<String> torchCommand(PeerSetup s, int size) {
        List<String> c =
                new ArrayList<>(
                        List.of(
                                s.executable,
                                s.script.toString(),
                                "--fra",
                                "--size",
                                Integer.toString(size),
                                "--threads",
                                Integer.toString(threads),
                                "--warmup",
                                Integer.toString(warmup),
                                "--reps",
                                Integer.toString(reps),
                                "--min-images",
                                Integer.toString(minImages),
                                "--infer-batches",
                                skip.contains("infer") ? "" : join(inferBatches),
                                "--train-batches",
                                skip.contains("train") ? "" : join(trainBatches)));
        return c;
    }

    private List<String> tfjsCommand(PeerSetup s, List<Path> photos) {
        return List.of(
                s.executable,
                s.script.toString(),
                "--assets",
                Assets.root().toString(),
                "--images",
                String.join(",", photos.stream().map(Path::toString).toList()),
                "--warmup",
                Integer.toString(warmup),
                "--reps",
                Integer.toString(reps),
                "--min-confidence",
                Float.toString(minFaceScore));
    }

    private void runPeer(
            PeerSetup setup,
            List<String> command,
            int round,
            String system,
            java.util.function.BiFunction<String, Integer, Optional<BenchResults.Sample>> parser) {
        // the peer gets the same allocator as we do (torch_bench.py reports whether tcmalloc is
        // loaded)
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        PeerProcess.Result r = PeerProcess.run(command, setup.script.getParent(), env, peerTimeout);
        int parsed = 0;
        for (String line : r.stdout()) {
            Optional<BenchResults.Sample> s = parser.apply(line, round);
            if (s.isPresent()) {
                results.add(s.get());
                parsed++;
                System.out.printf(
                        Locale.ROOT,
                        "  %-18s %-36s min %8.1f  median %8.1f  max %8.1f%n",
                        system,
                        s.get().caseKey(),
                        s.get().min(),
                        s.get().median(),
                        s.get().max());
            }
        }
        peakRssKb.merge(system, r.peakRssKb(), Math::max);
        if (!r.ok() || parsed == 0) {
            String msg =
                    system
                            + " round "
                            + round
                            + " failed or printed no results: "
                            + r.errorSummary();
            System.out.println("  " + msg);
            notes.add(msg);
        }
    }

    // ------------------------------------------------------------------ report

    private String targets() {
        StringBuilder sb =
                new StringBuilder(
                        "Targets (ratios: median over rounds of ours/peer per-round medians):\n");
        int size = 224;
        target(
                sb,
                "FRA-FER inference b32 >= 1.0x PyTorch eager FRA (aim 1.5x)",
                results.ratio(
                        BenchResults.OURS,
                        BenchResults.modelCase("infer", true, 32, size),
                        BenchResults.TORCH,
                        BenchResults.modelCase("infer", true, 32, size)),
                1.0);
        target(
                sb,
                "FRA-FER inference b32 >= 1.0x PyTorch eager plain B0 (aim 1.5x)",
                results.ratio(
                        BenchResults.OURS,
                        BenchResults.modelCase("infer", true, 32, size),
                        BenchResults.TORCH,
                        BenchResults.modelCase("infer", false, 32, size)),
                1.0);
        Optional<BenchResults.Ratio> fraVsNone =
                results.ratio(
                        BenchResults.OURS,
                        BenchResults.modelCase("infer", true, 32, size),
                        BenchResults.OURS,
                        BenchResults.modelCase("infer", false, 32, size));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  %-62s %s%n",
                        "FRA overhead over plain B0 <= 5% (inference b32)",
                        fraVsNone
                                .map(
                                        r ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%+.1f%% (range %+.1f%%..%+.1f%%) -> %s",
                                                        100 * (1 - r.median()),
                                                        100 * (1 - r.max()),
                                                        100 * (1 - r.min()),
                                                        1 - r.median() <= 0.05 ? "MET" : "NOT MET"))
                                .orElse("not measured")));
        for (int b : trainBatches) {
            for (boolean fra : List.of(false, true)) {
                String c = BenchResults.modelCase("train", fra, b, size);
                target(
                        sb,
                        "training step "
                                + (fra ? "FRA-FER" : "plain B0")
                                + " b"
                                + b
                                + " >= 0.9x PyTorch eager",
                        results.ratio(BenchResults.OURS, c, BenchResults.TORCH, c),
                        0.9);
            }
        }
        target(
                sb,
                "photo pipeline faces/s >= 2x TF.js wasm (decode included)",
                results.ratio(
                        BenchResults.OURS,
                        BenchResults.PIPELINE_DECODE,
                        BenchResults.TFJS,
                        BenchResults.PIPELINE_DECODE),
                2.0);
        target(
                sb,
                "photo pipeline faces/s >= 2x TF.js wasm (decoded photos)",
                results.ratio(
                        BenchResults.OURS,
                        BenchResults.PIPELINE_DECODED,
                        BenchResults.TFJS,
                        BenchResults.PIPELINE_DECODED),
                2.0);
        return sb.toString();
    }

    private static void target(
            StringBuilder sb, String name, Optional<BenchResults.Ratio> r, double goal) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        "  %-62s %s%n",
                        name,
                        r.map(
                                        x ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%.2fx (range %.2f-%.2f, %d rounds) -> %s",
                                                        x.median(),
                                                        x.min(),
                                                        x.max(),
                                                        x.rounds(),
                                                        x.median() >= goal ? "MET" : "NOT MET"))
                                .orElse("not measured (peer missing?)")));
    }

    private String rssLine() {
        List<String> parts = new ArrayList<>();
        peakRssKb.forEach(
                (k, v) ->
                        parts.add(
                                String.format(
                                        Locale.ROOT,
                                        "%s %,d MB%s",
                                        k,
                                        v / 1024,
                                        k.startsWith(BenchResults.OURS)
                                                ? " (VmHWM of the JVM"
                                                        + (k.equals(BenchResults.OURS)
                                                                ? ", all cases)"
                                                                : ", round 1)")
                                                : " (sampled every 0.1 s, whole run)")));
        return String.join("; ", parts);
    }

    private void writeJson(Path file) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper om =
                new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (BenchResults.Sample s : results.samples()) {
            sb.append(om.writeValueAsString(s)).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString());
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------ environment

    private static Path repoRoot() {
        Path assets = Assets.root().toAbsolutePath().normalize();
        Path parent = assets.getParent();
        return parent != null ? parent : Path.of("").toAbsolutePath();
    }

    /**
     * The default model's config when one is installed (for its input size and FR), else
     * ModelConfig's defaults.
     */
    private ModelConfig defaultModelConfig() {
        try {
            Path dir = org.frafer.infer.DefaultModel.locate();
            ModelConfig c = org.frafer.model.ModelFiles.readConfig(dir);
            notes.add(
                    "default model "
                            + dir
                            + ": input "
                            + c.inputSize
                            + ", fusion "
                            + c.fusion
                            + ", FR "
                            + c.frBackbone
                            + " (benchmark networks use random weights of this shape; speed does not depend on them)");
            return c;
        } catch (RuntimeException e) {
            notes.add(
                    "no default model installed: ModelConfig defaults used (input 224, fra p=1 q=1, FR hse-faceres); weights are random, speed does not depend on them");
            return new ModelConfig();
        }
    }

    private List<Path> photos() {
        Path dir = samples != null ? samples : Assets.root().resolve("samples");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> jpgs =
                    s.filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .toLowerCase(Locale.ROOT)
                                                    .matches(".*\\.jpe?g"))
                            .sorted()
                            .toList();
            if (jpgs.isEmpty()) {
                throw new IllegalArgumentException("no .jpg photos in " + dir);
            }
            return jpgs;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot list sample photos in "
                            + dir
                            + " (run tools/fetch-assets.sh or pass --samples)",
                    e);
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        boolean bf16 = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && "unknown CPU".equals(cpu)) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                }
                if (line.startsWith("flags") && line.contains("avx512_bf16")) {
                    bf16 = true;
                }
            }
        } catch (IOException e) {
            // not Linux: keep "unknown"
        }
        long memKb =
                PeerProcess.status(ProcessHandle.current().pid(), "VmRSS:") >= 0
                        ? memTotalKb()
                        : -1;
        return String.format(
                Locale.ROOT,
                "%s, %d logical CPUs, %s RAM, avx512_bf16 %s; %s %s; Java %s",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                memKb > 0 ? (memKb / 1024 / 1024) + " GB" : "?",
                bf16 ? "yes" : "no",
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"));
    }

    private static long memTotalKb() {
        return ModelBench.procKb(Path.of("/proc/meminfo"), "MemTotal:");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "?";
        }
    }

    private static boolean tcmalloc() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("tcmalloc");
        } catch (IOException e) {
            return false;
        }
    }

    private static String join(List<Integer> v) {
        return String.join(",", v.stream().map(String::valueOf).toList());
    }
}
