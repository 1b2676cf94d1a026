package org.frafer.train.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.frafer.faces.FrBackbone;
import org.frafer.faces.IdentificationEval;
import org.frafer.model.EfficientNetFrBackbone;
import org.frafer.model.FrBackbones;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;
import org.frafer.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distill recipe on tiny synthetic faces (3 people x 4 images, 32 px) with a small
 * deterministic teacher.
 */
class DistillerTest {
    static final int PEOPLE = 3;
    static final int PER_PERSON = 4;

    /**
     * A stand-in teacher: a fixed random linear map of the 4x4-average-pooled face to 16-d; counts
     * its calls.
     */
    static final class FakeTeacher implements FrBackbone {
        static final AtomicInteger CREATED = new AtomicInteger();
        final AtomicInteger embeddings = new AtomicInteger();
        private final float[] map;

        FakeTeacher() {
            CREATED.incrementAndGet();
            Random r = new Random(11);
            map = new float[16 * 3 * 4 * 4];
            for (int i = 0; i < map.length; i++) {
                map[i] = (float) r.nextGaussian();
            }
        }

        @Override
        public String id() {
            return "fake-teacher";
        }

        @Override
        public int inputSize() {
            return 32;
        }

        @Override
        public int numLayers() {
            return 1;
        }

        @Override
        public Shape featureShape(int layer) {
            return new Shape(3, 4, 4);
        }

        @Override
        public NDArray features(NDArray rawFaces, int layer) {
            return ai.djl.nn.pooling.Pool.avgPool2d(
                    rawFaces, new Shape(8, 8), new Shape(8, 8), new Shape(0, 0), false, true);
        }

        @Override
        public NDArray embedding(NDArray rawFaces) {
            embeddings.incrementAndGet();
            NDArray f = features(rawFaces, 1).reshape(rawFaces.getShape().get(0), -1);
            return f.matMul(rawFaces.getManager().create(map, new Shape(16, 48)).transpose());
        }

        @Override
        public void close() {}
    }

    /**
     * people x images of 40x40 faces: a per-person colour and stripe pattern plus noise; returns
     * the root (one folder per person).
     */
    static Path faces(Path dir) throws IOException {
        Random r = new Random(5);
        for (int p = 0; p < PEOPLE; p++) {
            Path person = Files.createDirectories(dir.resolve("s" + (p + 1)));
            int base = 0x305070 * (p + 1);
            for (int i = 0; i < PER_PERSON; i++) {
                BufferedImage im = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 40; y++) {
                    for (int x = 0; x < 40; x++) {
                        int stripe = ((x + y * p) / (4 + p)) % 2 == 0 ? 0x202020 : 0;
                        int noise = r.nextInt(24);
                        int c = (base + stripe) & 0xffffff;
                        int red = Math.min(255, ((c >> 16) & 255) + noise);
                        int green = Math.min(255, ((c >> 8) & 255) + noise);
                        int blue = Math.min(255, (c & 255) + noise);
                        im.setRGB(x, y, (red << 16) | (green << 8) | blue);
                    }
                }
                ImageIO.write(im, "png", person.resolve((i + 1) + ".png").toFile());
            }
        }
        return dir;
    }

    static List<DistillImage> list(Path root) throws IOException {
        List<DistillImage> out = new ArrayList<>();
        for (List<Path> person : IdentificationEval.listIdentities(root, 0)) {
            person.forEach(p -> out.add(new DistillImage(p, null)));
        }
        return out;
    }

    static TrainConfig config(int epochs, Long maxSteps) {
        TrainConfig c = TrainConfig.recipe("distill");
        c.teacher = "fake-teacher";
        c.model.inputSize = 32;
        c.batchSize = 4;
        c.schedule = "constant";
        c.logEvery = 1;
        c.checkpointEvery = 0;
        c.stages.get(0).epochs = epochs;
        c.stages.get(0).lr = 1e-3;
        c.maxSteps = maxSteps;
        return c;
    }

    @Test
    void recipeDefaults() {
        TrainConfig c = TrainConfig.recipe("distill");
        assertEquals("hse-faceres", c.teacher);
        assertEquals("none", c.model.fusion);
        assertEquals("tf_efficientnet_b0", c.model.arch);
        assertEquals(112, c.model.inputSize);
        c.validate();
        c.model.validate();
    }

    @Test
    void lossDecreasesAndTheStudentLoadsAsFrBackboneAndFerInit(@TempDir Path tmp) throws Exception {
        List<DistillImage> images = list(faces(tmp.resolve("faces")));
        FakeTeacher teacher = new FakeTeacher();
        float[][] targets =
                TeacherCache.loadOrCompute(
                        tmp.resolve("cache.safetensors"),
                        teacher.id(),
                        () -> teacher,
                        images,
                        5,
                        null);
        assertEquals(PEOPLE * PER_PERSON, targets.length);
        assertEquals(16, targets[0].length);
        assertEquals(3, teacher.embeddings.get(), "12 images in batches of 5");
        Distiller.Result r;
        float[] own;
        try (Distiller d =
                new Distiller(config(4, null), images, targets, tmp.resolve("run"), null)) {
            r = d.run(false);
            assertEquals(12, r.steps(), "4 epochs x 3 batches of 4");
            try (NDManager m = NDManager.newBaseManager()) {
                own =
                        d.embed(
                                        new ParameterStore(m, false),
                                        m.create(
                                                TeacherCache.load(images.get(0), 32, false),
                                                new Shape(1, 3, 32, 32)),
                                        false)
                                .toFloatArray();
            }
        }
        double first =
                r.losses().subList(0, 3).stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElseThrow();
        double last =
                r.losses().subList(9, 12).stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElseThrow();
        System.out.printf(
                "[distill] cosine loss first epoch %.4f -> last epoch %.4f%n", first, last);
        assertTrue(last < 0.7 * first, "loss should drop by 30 %+: " + first + " -> " + last);

        // FR backbone from the student file: input size from its metadata, descriptor = the
        // projection (16-d)
        Path student = r.studentFile();
        try (EfficientNetFrBackbone fr =
                        (EfficientNetFrBackbone) FrBackbones.create("tf_efficientnet_b0", student);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(32, fr.inputSize());
            NDArray e =
                    fr.embedding(
                            m.create(
                                    TeacherCache.load(images.get(0), 32, false),
                                    new Shape(1, 3, 32, 32)));
            assertArrayEquals(
                    own,
                    e.toFloatArray(),
                    1e-4f,
                    "FR embedding = the distiller's own projected embedding");
            IdentificationEval.Result id =
                    IdentificationEval.run(tmp.resolve("faces"), fr, 1, 0, 8);
            assertEquals(PEOPLE * (PER_PERSON - 1), id.probes());
            System.out.printf("[distill] synthetic identities rank-1 %.2f%n", id.rank1());
        }
        // FER initialisation: every B0 tensor loads by name, the classifier stays as it was
        ModelConfig mc = new ModelConfig();
        mc.fusion = "none";
        mc.inputSize = 32;
        try (var net = Networks.create(mc)) {
            String report = Networks.loadFerWeights(net, student, false);
            var stem =
                    ((org.frafer.model.FraFerNetwork) net)
                            .namedParameters()
                            .get("conv_stem.weight")
                            .getArray()
                            .toFloatArray();
            var stored = org.frafer.io.SafeTensors.read(student).get("conv_stem.weight").data();
            assertArrayEquals(stored, stem, 0f, report);
            assertTrue(
                    report.contains("classifier.weight"), "classifier reported missing: " + report);
        }
    }

    @Test
    void resumeReusesTheCacheAndContinuesExactly(@TempDir Path tmp) throws Exception {
        List<DistillImage> images = list(faces(tmp.resolve("faces")));
        Path cache = tmp.resolve("cache.safetensors");
        int before = FakeTeacher.CREATED.get();
        float[][] targets =
                TeacherCache.loadOrCompute(
                        cache, "fake-teacher", FakeTeacher::new, images, 8, null);
        assertEquals(before + 1, FakeTeacher.CREATED.get(), "teacher runs for a missing cache");
        List<Double> straight;
        try (Distiller d =
                new Distiller(config(2, 4L), images, targets, tmp.resolve("straight"), null)) {
            straight = d.run(false).losses();
        }
        List<Double> resumed = new ArrayList<>();
        try (Distiller d =
                new Distiller(config(2, 2L), images, targets, tmp.resolve("cut"), null)) {
            resumed.addAll(d.run(false).losses());
        }
        float[][] again =
                TeacherCache.loadOrCompute(
                        cache, "fake-teacher", FakeTeacher::new, images, 8, null);
        assertEquals(
                before + 1,
                FakeTeacher.CREATED.get(),
                "a matching cache is reused: the teacher does not run again");
        assertArrayEquals(targets[3], again[3], 0f);
        try (Distiller d = new Distiller(config(2, 4L), images, again, tmp.resolve("cut"), null)) {
            resumed.addAll(d.run(true).losses());
        }
        assertEquals(4, straight.size());
        assertEquals(4, resumed.size());
        // up to the first step after the resume the weights (and so the losses) are the straight
        // run's: exact restore
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    straight.get(i),
                    resumed.get(i),
                    1e-4,
                    "step " + (i + 1) + " loss, straight vs resumed");
        }
        // later steps only close: Adam's first updates are ~lr * sign(g), so float rounding in
        // near-zero gradients
        // (conv algorithm/layout choices differ between the two processes' arrays) moves single
        // weights by a full lr
        assertEquals(straight.get(3), resumed.get(3), 0.05, "step 4 loss, straight vs resumed");
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new Distiller(
                                                config(2, null),
                                                images,
                                                targets,
                                                tmp.resolve("cut"),
                                                null)
                                        .run(false));
        assertTrue(e.getMessage().contains("already holds a distillation run"), e.getMessage());
    }

    @Test
    void aCacheForOtherImagesIsRefusedNotOverwritten(@TempDir Path tmp) throws Exception {
        List<DistillImage> images = list(faces(tmp.resolve("faces")));
        Path cache = tmp.resolve("cache.safetensors");
        TeacherCache.loadOrCompute(cache, "fake-teacher", FakeTeacher::new, images, 8, null);
        byte[] bytes = Files.readAllBytes(cache);
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TeacherCache.loadOrCompute(
                                        cache,
                                        "fake-teacher",
                                        FakeTeacher::new,
                                        images.subList(0, 5),
                                        8,
                                        null));
        assertTrue(
                e.getMessage().contains(cache.toString())
                        && e.getMessage().contains("delete it or pass another --teacher-cache"),
                e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(cache), "the cache file is left as it was");
    }

    @Test
    void cosineLossIsOneMinusCosine() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3, 4, 0, 1, 0, 0}, new Shape(2, 3));
            NDArray b = m.create(new float[] {6, 8, 0, 0, 2, 0}, new Shape(2, 3));
            // row 0: same direction (cos 1), row 1: orthogonal (cos 0) -> mean(1 - cos) = 0.5
            assertEquals(0.5f, Distiller.cosineLoss(a, b).getFloat(), 1e-6f);
        }
    }
}
