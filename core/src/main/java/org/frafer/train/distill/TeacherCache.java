package org.frafer.train.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.data.FacePreprocess;
import org.frafer.data.Images;
import org.frafer.faces.FrBackbone;
import org.frafer.io.SafeTensors;

/**
 * The frozen teacher's embeddings of every distillation image, computed once and kept in a
 * safetensors file ({@code embeddings} (N, D) float32; metadata: teacher id, image count and a
 * digest of the image list), so resumed or repeated runs never run the teacher again. A file made
 * for other images or another teacher is refused, never overwritten.
 */
public final class TeacherCache {
    public static final String TENSOR = "embeddings";

    private TeacherCache() {}

    /**
     * SHA-256 over the teacher id and every image's path, size and box: what the cached rows depend
     * on.
     */
    public static String digest(String teacherId, List<DistillImage> images) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(teacherId.getBytes(StandardCharsets.UTF_8));
            for (DistillImage im : images) {
                long size;
                try {
                    size = Files.size(im.path());
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "distillation image "
                                    + im.path()
                                    + " cannot be read: "
                                    + e.getMessage());
                }
                md.update(
                        ("\n"
                                        + im.path().toAbsolutePath().normalize()
                                        + "|"
                                        + size
                                        + "|"
                                        + Arrays.toString(im.box()))
                                .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The teacher embeddings (N rows of D), read from {@code file} when it was made for the same
     * teacher and images, else computed in batches of {@code batch} (each face resized to the
     * teacher's input size) and written to {@code file}.
     */
    public static float[][] loadOrCompute(
            Path file,
            String teacherId,
            java.util.function.Supplier<FrBackbone> teacherFactory,
            List<DistillImage> images,
            int batch,
            PrintStream log) {
        String digest = digest(teacherId, images);
        if (Files.exists(file)) {
            SafeTensors.Contents c = SafeTensors.readWithMetadata(file);
            Map<String, String> meta = c.metadata() == null ? Map.of() : c.metadata();
            SafeTensors.Tensor t = c.tensors().get(TENSOR);
            if (t == null || !digest.equals(meta.get("digest")) || t.shape()[0] != images.size()) {
                throw new IllegalArgumentException(
                        "teacher cache "
                                + file
                                + " was made for "
                                + meta.getOrDefault("images", "?")
                                + " images of teacher "
                                + meta.getOrDefault("teacher", "?")
                                + ", not for these "
                                + images.size()
                                + " images of "
                                + teacherId
                                + "; delete it or pass another --teacher-cache");
            }
            if (log != null) {
                log.println(
                        "teacher cache "
                                + file
                                + ": reusing "
                                + images.size()
                                + " embeddings of "
                                + teacherId);
            }
            return rows(t);
        }
        try (FrBackbone teacher = teacherFactory.get()) {
            if (!teacherId.equals(teacher.id())) {
                throw new IllegalArgumentException(
                        "teacher " + teacher.id() + " is not the requested " + teacherId);
            }
            return compute(file, teacher, digest, images, batch, log);
        }
    }

    private static float[][] compute(
            Path file,
            FrBackbone teacher,
            String digest,
            List<DistillImage> images,
            int batch,
            PrintStream log) {
        long t0 = System.nanoTime();
        int size = teacher.inputSize();
        float[][] out = new float[images.size()][];
        try (NDManager base = NDManager.newBaseManager()) {
            for (int start = 0; start < images.size(); start += batch) {
                int n = Math.min(batch, images.size() - start);
                float[] pixels = new float[n * 3 * size * size];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(
                            load(images.get(start + i), size, false),
                            0,
                            pixels,
                            i * 3 * size * size,
                            3 * size * size);
                }
                try (NDManager m = base.newSubManager()) {
                    NDArray e = teacher.embedding(m.create(pixels, new Shape(n, 3, size, size)));
                    int d = (int) e.getShape().get(1);
                    float[] flat = e.toFloatArray();
                    for (int i = 0; i < n; i++) {
                        out[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                    }
                }
            }
        }
        int d = out.length == 0 ? 0 : out[0].length;
        float[] flat = new float[out.length * d];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(out[i], 0, flat, i * d, d);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("teacher", teacher.id());
        meta.put("images", Integer.toString(images.size()));
        meta.put("digest", digest);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create the folder of teacher cache " + file + ": " + e.getMessage(), e);
        }
        SafeTensors.write(
                file,
                Map.of(TENSOR, new SafeTensors.Tensor("F32", new long[] {out.length, d}, flat)),
                SafeTensors.DType.F32,
                meta);
        if (log != null) {
            log.printf(
                    java.util.Locale.ROOT,
                    "teacher cache %s: %d embeddings (%d-d) of %s computed in %.1f s%n",
                    file,
                    out.length,
                    d,
                    teacher.id(),
                    (System.nanoTime() - t0) / 1e9);
        }
        return out;
    }

    /**
     * CHW [0, 1] pixels of one face at size x size; a file that does not decode is an error naming
     * it.
     */
    static float[] load(DistillImage im, int size, boolean flip) {
        try {
            return FacePreprocess.toChw(Images.read(im.path()), im.box(), size, flip);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "distillation image " + im.path() + ": " + e.getMessage(), e);
        }
    }

    private static float[][] rows(SafeTensors.Tensor t) {
        int n = (int) t.shape()[0];
        int d = (int) t.shape()[1];
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(t.data(), i * d, (i + 1) * d);
        }
        return out;
    }
}
