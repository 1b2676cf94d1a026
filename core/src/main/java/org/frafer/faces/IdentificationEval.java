package org.frafer.faces;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.frafer.data.Images;
import org.frafer.data.NaturalOrder;

/**
 * Closed-set face identification on a folder of identities (one sub-folder per person, e.g. ORL's
 * s1..s40): the first {@code galleryPerPerson} images of each person (in natural name order) are
 * the gallery, the rest are probes; each probe takes the identity of the gallery image with the
 * highest cosine similarity of FR descriptors. A sanity check of an FR import and its
 * preprocessing.
 */
public final class IdentificationEval {
    private IdentificationEval() {}

    public record Result(int identities, int gallery, int probes, int correct, double seconds) {
        public double rank1() {
            return probes == 0 ? 0 : correct / (double) probes;
        }
    }

    /**
     * Images per identity folder, natural order ("2.pgm" before "10.pgm"); {@code maxIdentities <=
     * 0} = all.
     */
    public static List<List<Path>> listIdentities(Path root, int maxIdentities) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory of identity folders");
        }
        List<Path> people;
        try (Stream<Path> s = Files.list(root)) {
            people =
                    s.filter(Files::isDirectory)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted(NaturalOrder.PATHS)
                            .toList();
        }
        List<List<Path>> out = new ArrayList<>();
        for (Path person : people) {
            if (maxIdentities > 0 && out.size() >= maxIdentities) {
                break;
            }
            try (Stream<Path> s = Files.list(person)) {
                List<Path> imgs =
                        s.filter(Files::isRegularFile)
                                .filter(Images::hasImageExtension)
                                .sorted(NaturalOrder.PATHS)
                                .toList();
                if (!imgs.isEmpty()) {
                    out.add(imgs);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(root + ": no identity folders with images found");
        }
        return out;
    }

    public static Result run(
            Path root, FrBackbone fr, int galleryPerPerson, int maxIdentities, int batch)
            throws IOException {
        return run(root, fr, galleryPerPerson, maxIdentities, batch, null);
    }

    /**
     * As {@link #run(Path, FrBackbone, int, int, int)}, each image first passed through {@code
     * faceCrop} (e.g. detect + align + crop with {@link #detectAndCrop}); null = use the images as
     * they are.
     */
    public static Result run(
            Path root,
            FrBackbone fr,
            int galleryPerPerson,
            int maxIdentities,
            int batch,
            UnaryOperator<BufferedImage> faceCrop)
            throws IOException {
        long t0 = System.nanoTime();
        List<List<Path>> people = listIdentities(root, maxIdentities);
        List<Path> gallery = new ArrayList<>();
        List<Integer> galleryIds = new ArrayList<>();
        List<Path> probes = new ArrayList<>();
        List<Integer> probeIds = new ArrayList<>();
        for (int id = 0; id < people.size(); id++) {
            List<Path> imgs = people.get(id);
            if (imgs.size() <= galleryPerPerson) {
                throw new IOException(
                        imgs.get(0).getParent()
                                + ": needs more than "
                                + galleryPerPerson
                                + " images, has "
                                + imgs.size());
            }
            for (int i = 0; i < imgs.size(); i++) {
                (i < galleryPerPerson ? gallery : probes).add(imgs.get(i));
                (i < galleryPerPerson ? galleryIds : probeIds).add(id);
            }
        }
        float[][] g = descriptors(gallery, fr, batch, faceCrop);
        float[][] p = descriptors(probes, fr, batch, faceCrop);
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < g.length; j++) {
                double sim = dot(p[i], g[j]);
                if (sim > bestSim) {
                    bestSim = sim;
                    best = j;
                }
            }
            if (galleryIds.get(best).equals(probeIds.get(i))) {
                correct++;
            }
        }
        return new Result(
                people.size(),
                gallery.size(),
                probes.size(),
                correct,
                (System.nanoTime() - t0) / 1e9);
    }

    /** L2-normalised descriptors of the images (optionally face-cropped first), in batches. */
    static float[][] descriptors(
            List<Path> files, FrBackbone fr, int batch, UnaryOperator<BufferedImage> faceCrop)
            throws IOException {
        float[][] out = new float[files.size()][];
        for (int start = 0; start < files.size(); start += batch) {
            List<BufferedImage> imgs = new ArrayList<>();
            for (Path f : files.subList(start, Math.min(files.size(), start + batch))) {
                BufferedImage img = Images.read(f);
                imgs.add(faceCrop == null ? img : faceCrop.apply(img));
            }
            float[][] d = FaceDescriptors.of(fr, imgs, batch);
            System.arraycopy(d, 0, out, start, d.length);
        }
        return out;
    }

    /**
     * Detects the best face, crops it square with {@code margin} and eye-line alignment, at {@code
     * size}; the whole image when no face is found.
     */
    public static UnaryOperator<BufferedImage> detectAndCrop(
            FaceDetector detector, int size, float margin, boolean align) {
        return img -> {
            List<DetectedFace> faces = detector.detect(img);
            if (faces.isEmpty()) {
                return img;
            }
            DetectedFace best =
                    faces.stream()
                            .max(Comparator.comparingDouble(DetectedFace::score))
                            .orElseThrow();
            return FaceCrops.crop(img, best, size, margin, align);
        };
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * (double) b[i];
        }
        return s;
    }
}
