package org.frafer.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.frafer.data.FaceDataset;
import org.frafer.data.FaceSample;
import org.frafer.data.Images;
import org.frafer.data.NaturalOrder;
import org.frafer.io.AtomicFiles;
import org.frafer.io.SafeTensors;
import org.frafer.model.FrBackbones;
import org.frafer.train.TrainConfig;
import org.frafer.train.Trainer;
import org.frafer.train.distill.DistillImage;
import org.frafer.train.distill.Distiller;
import org.frafer.train.distill.TeacherCache;

/**
 * {@code train --recipe distill --teacher ID}: the images (the dataset's training split and its
 * validation split, both as training faces, plus every image under {@code --faces} folders), the
 * teacher cache, then {@link Distiller}.
 */
final class DistillRun {
    private DistillRun() {}

    static int run(TrainConfig cfg, Path runDir, boolean resuming, PrintWriter err) {
        PrintStream log = new PrintStream(new TrainCommand.WriterStream(err), true);
        if (cfg.teacher == null || cfg.teacher.isBlank()) {
            throw new IllegalArgumentException(
                    "--recipe distill needs --teacher ID, one of " + FrBackbones.KNOWN);
        }
        if (!FrBackbones.KNOWN.contains(cfg.teacher)) {
            throw new IllegalArgumentException(
                    "unknown --teacher '" + cfg.teacher + "'; known: " + FrBackbones.KNOWN);
        }
        List<DistillImage> images = images(cfg);
        if (images.size() < 2) {
            throw new IllegalArgumentException(
                    "distillation needs at least 2 face images, found " + images.size());
        }
        if (!resuming) {
            if (Files.exists(runDir.resolve(Trainer.CONFIG_FILE))) {
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
            AtomicFiles.Unchecked.writeString(runDir.resolve(Trainer.CONFIG_FILE), cfg.toJson());
        }
        log.println(
                "distilling "
                        + cfg.teacher
                        + " into "
                        + cfg.model.arch
                        + " at "
                        + cfg.model.inputSize
                        + " px on "
                        + images.size()
                        + " face images");
        Path cache =
                cfg.teacherCache != null
                        ? Path.of(cfg.teacherCache)
                        : runDir.resolve("teacher-" + cfg.teacher + ".safetensors");
        float[][] targets =
                TeacherCache.loadOrCompute(
                        cache,
                        cfg.teacher,
                        () -> FrBackbones.create(cfg.teacher, null),
                        images,
                        cfg.batchSize,
                        log);
        try (Distiller d = new Distiller(cfg, images, targets, runDir, log)) {
            if (!resuming && cfg.init != null) {
                log.println(
                        "initial student weights "
                                + cfg.init
                                + ": "
                                + org.frafer.io.Weights.load(
                                        d.parameters(),
                                        SafeTensors.read(Path.of(cfg.init)),
                                        false,
                                        cfg.init));
            }
            Distiller.Result r = d.run(resuming);
            int n = r.losses().size();
            if (n > 0) {
                int k = Math.max(1, Math.min(10, n / 2));
                log.printf(
                        Locale.ROOT,
                        "done: %d steps; mean loss of this run's first %d steps %.4f, last %d steps %.4f; student %s%n",
                        r.steps(),
                        k,
                        mean(r.losses().subList(0, k)),
                        k,
                        mean(r.losses().subList(n - k, n)),
                        r.studentFile());
            } else {
                log.println("done: nothing left to train; student " + r.studentFile());
            }
        }
        return 0;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Training + validation split of --data, then --faces folders (natural order). */
    static List<DistillImage> images(TrainConfig cfg) {
        List<DistillImage> out = new ArrayList<>();
        int numClasses = cfg.model.classes.size();
        if (cfg.data != null) {
            FaceDataset train =
                    DatasetAccess.REAL.openNonEmpty(
                            new DatasetAccess.Request(
                                    cfg.format,
                                    Path.of(cfg.data),
                                    cfg.trainSplit,
                                    numClasses,
                                    false,
                                    cfg.limit,
                                    cfg.seed,
                                    null));
            add(out, train);
            if (cfg.valSplit != null) {
                add(
                        out,
                        DatasetAccess.REAL.openNonEmpty(
                                new DatasetAccess.Request(
                                        cfg.format,
                                        Path.of(cfg.data),
                                        cfg.valSplit,
                                        numClasses,
                                        false,
                                        cfg.valLimit != null ? cfg.valLimit : cfg.limit,
                                        cfg.seed,
                                        null)));
            }
        }
        if (cfg.faces != null) {
            for (String dir : cfg.faces) {
                Path root = Path.of(dir);
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException(
                            "--faces folder " + root + " does not exist");
                }
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(Files::isRegularFile)
                            .filter(Images::hasImageExtension)
                            .sorted(NaturalOrder.PATHS)
                            .forEach(p -> out.add(new DistillImage(p, null)));
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot list --faces folder " + root + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private static void add(List<DistillImage> out, FaceDataset ds) {
        for (FaceSample s : ds.samples()) {
            out.add(new DistillImage(s.image(), s.box()));
        }
    }
}
