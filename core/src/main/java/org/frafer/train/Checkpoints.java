package org.frafer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.frafer.io.AtomicFiles;
import org.frafer.model.EmotionNetwork;
import org.frafer.nn.NamedParameter;

/**
 * Checkpoints of a run: {@code RUN_DIR/checkpoints/step-000000123/} with {@code
 * weights.safetensors} (every block parameter, including batch-norm running statistics, by its
 * block path), {@code optimizer.safetensors} (Adam moments) and {@code state.json}. A checkpoint is
 * written into a hidden temp folder and renamed, then {@code checkpoints/latest} (atomically
 * replaced) names it, so a kill at any moment leaves the previous checkpoint usable.
 */
public final class Checkpoints {
    public static final String DIR = "checkpoints";
    public static final String LATEST = "latest";

    private Checkpoints() {}

    /** Every parameter of the network's block with its stable path name. */
    public static List<NamedParameter> allParameters(EmotionNetwork network) {
        List<NamedParameter> all = new ArrayList<>();
        java.util.Set<Parameter> seen =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Pair<String, Parameter> p : network.block().getParameters()) {
            all.add(new NamedParameter(p.getKey(), p.getValue()));
            seen.add(p.getValue());
        }
        // Trainable parameters held outside the block (if a network does that) still need a stable
        // name.
        List<Parameter> trainable = network.trainableParameters();
        for (int i = 0; i < trainable.size(); i++) {
            if (seen.add(trainable.get(i))) {
                all.add(
                        new NamedParameter(
                                "extra." + i + "." + trainable.get(i).getName(), trainable.get(i)));
            }
        }
        return all;
    }

    /** The named versions of the given parameters (by identity). */
    public static List<NamedParameter> named(EmotionNetwork network, List<Parameter> params) {
        java.util.Map<Parameter, NamedParameter> byParam = new java.util.IdentityHashMap<>();
        for (NamedParameter p : allParameters(network)) {
            byParam.put(p.parameter(), p);
        }
        List<NamedParameter> out = new ArrayList<>();
        for (Parameter p : params) {
            NamedParameter np = byParam.get(p);
            if (np == null) {
                throw new IllegalStateException(
                        "parameter "
                                + p.getName()
                                + " is neither in the network block nor trainable");
            }
            out.add(np);
        }
        return out;
    }

    public static Path write(
            Path runDir,
            EmotionNetwork network,
            AdamOptimizer optimizer,
            TrainState state,
            int keep) {
        Path dir = runDir.resolve(DIR);
        String name =
                String.format(
                        "step-%09d-e%04d-b%06d", state.globalStep, state.epoch, state.batchInEpoch);
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            Files.createDirectories(dir);
            AtomicFiles.Unchecked.deleteTree(tmp);
            org.frafer.io.TempFiles.track(Files.createDirectories(tmp));
            NDList weights = new NDList();
            for (NamedParameter p : allParameters(network)) {
                NDArray a = p.parameter().getArray();
                a.setName(p.name());
                weights.add(a);
            }
            writeList(tmp.resolve("weights.safetensors"), weights);
            writeList(tmp.resolve("optimizer.safetensors"), optimizer.stateArrays());
            Files.write(tmp.resolve("state.json"), TrainConfig.JSON.writeValueAsBytes(state));
            AtomicFiles.Unchecked.deleteTree(target);
            AtomicFiles.commit(tmp, target);
            org.frafer.io.TempFiles.untrack(tmp);
            AtomicFiles.Unchecked.writeString(dir.resolve(LATEST), name + "\n");
            prune(dir, name, keep);
            return target;
        } catch (IOException e) {
            // a full disk: remove the partial folder; the previous checkpoint stays the latest
            try {
                org.frafer.io.AtomicFiles.discard(tmp);
            } catch (IOException ignored) {
                // reported below with the cause
            }
            throw new UncheckedIOException(
                    "cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    private static void writeList(Path file, NDList list) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
    }

    private static void prune(Path dir, String keepName, int keep) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all =
                    s.filter(
                                    p ->
                                            p.getFileName().toString().startsWith("step-")
                                                    && Files.isDirectory(p))
                            .sorted()
                            .toList();
        }
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).getFileName().toString().equals(keepName)) {
                AtomicFiles.Unchecked.deleteTree(all.get(i));
            }
        }
    }

    /** The checkpoint {@code checkpoints/latest} names, or null when the run has none. */
    public static Path latest(Path runDir) {
        Path pointer = runDir.resolve(DIR).resolve(LATEST);
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        try {
            String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
            Path cp = runDir.resolve(DIR).resolve(name);
            if (!Files.isRegularFile(cp.resolve("state.json"))) {
                throw new IllegalStateException(
                        "checkpoint "
                                + cp
                                + " named by "
                                + pointer
                                + " is incomplete (no state.json)");
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest checkpoint that reads back whole (state.json, weights and optimizer files decode),
     * starting from the one {@code latest} names; each damaged one passed over is reported to
     * {@code note} by file. A kill during a write cannot damage one (they are renamed into place),
     * but a full disk or a copy can.
     *
     * @return null when the run has no checkpoint
     * @throws IllegalStateException naming every damaged file when none is intact
     */
    public static Path newestIntact(Path runDir, java.util.function.Consumer<String> note) {
        Path dir = runDir.resolve(DIR);
        List<Path> candidates = new ArrayList<>();
        Path pointer = dir.resolve(LATEST);
        if (Files.isRegularFile(pointer)) {
            try {
                String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty() && !name.contains("/") && !name.contains("\\")) {
                    candidates.add(dir.resolve(name));
                }
            } catch (IOException e) {
                note.accept(
                        "cannot read "
                                + pointer
                                + " ("
                                + e.getMessage()
                                + "); looking for checkpoints in "
                                + dir);
            }
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(
                                p ->
                                        p.getFileName().toString().startsWith("step-")
                                                && Files.isDirectory(p))
                        .sorted(java.util.Comparator.reverseOrder())
                        .filter(p -> !candidates.contains(p))
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        List<String> damaged = new ArrayList<>();
        for (Path cp : candidates) {
            String problem = damage(cp);
            if (problem == null) {
                if (!damaged.isEmpty()) {
                    note.accept("resuming from the previous intact checkpoint " + cp.getFileName());
                }
                return cp;
            }
            damaged.add(problem);
            note.accept("warning: checkpoint " + cp.getFileName() + " is damaged: " + problem);
        }
        throw new IllegalStateException(
                "no intact checkpoint in " + dir + ": " + String.join("; ", damaged));
    }

    /** Null when the checkpoint reads back whole, else which file is damaged and how. */
    static String damage(Path cp) {
        if (!Files.isRegularFile(cp.resolve("state.json"))) {
            return cp.resolve("state.json") + " is missing";
        }
        try {
            readState(cp);
        } catch (RuntimeException e) {
            return cp.resolve("state.json") + ": " + e.getMessage();
        }
        for (String f : List.of("weights.safetensors", "optimizer.safetensors")) {
            Path file = cp.resolve(f);
            try (NDManager m = NDManager.newBaseManager();
                    InputStream in = Files.newInputStream(file)) {
                if (!(f.startsWith("optimizer") && Files.size(file) == 0)) {
                    NDList.decode(m, in);
                }
            } catch (IOException | RuntimeException e) {
                return file
                        + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + " (truncated or not a safetensors file)";
            }
        }
        return null;
    }

    public static TrainState readState(Path checkpoint) {
        try {
            return TrainConfig.JSON.readValue(
                    checkpoint.resolve("state.json").toFile(), TrainState.class);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read " + checkpoint.resolve("state.json") + ": " + e.getMessage(), e);
        }
    }

    /** Copies the checkpoint's weights into the network's existing arrays (shapes must match). */
    public static void loadWeights(Path checkpoint, EmotionNetwork network) {
        Path file = checkpoint.resolve("weights.safetensors");
        try (NDManager m = NDManager.newBaseManager();
                InputStream in = Files.newInputStream(file)) {
            NDList list = NDList.decode(m, in);
            for (NamedParameter p : allParameters(network)) {
                NDArray saved = list.get(p.name());
                if (saved == null) {
                    throw new IllegalStateException(
                            "checkpoint "
                                    + file
                                    + " has no tensor '"
                                    + p.name()
                                    + "' (was it written by another network?)");
                }
                NDArray a = p.parameter().getArray();
                if (!saved.getShape().equals(a.getShape())) {
                    throw new IllegalStateException(
                            "checkpoint "
                                    + file
                                    + ": tensor '"
                                    + p.name()
                                    + "' has shape "
                                    + saved.getShape()
                                    + ", the network expects "
                                    + a.getShape());
                }
                a.set(saved.toType(a.getDataType(), false).toByteBuffer());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void loadOptimizer(Path checkpoint, AdamOptimizer optimizer, long step) {
        Path file = checkpoint.resolve("optimizer.safetensors");
        try (NDManager m = NDManager.newBaseManager();
                InputStream in = Files.newInputStream(file)) {
            NDList list = Files.size(file) == 0 ? new NDList() : NDList.decode(m, in);
            optimizer.loadState(list, step);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
