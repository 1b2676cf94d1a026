package org.frafer.faces;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.frafer.Assets;
import org.frafer.data.Images;

/**
 * Prints how many boxes BlazeFace reports on already-cropped faces (FER+ 48x48) and on the sample
 * photos, raw (weighted NMS only) and after {@link FaceBoxes#clean}, and how many boxes on tiled
 * sample photos {@link FaceBoxes#confirmed} keeps. Run by hand: {@code java -cp ...
 * org.frafer.faces.DetectorOnCropsMeasure FERPLUS_TEST_DIR SAMPLES_DIR [N]}.
 */
public final class DetectorOnCropsMeasure {
    public static void main(String[] args) throws Exception {
        Path crops = Path.of(args[0]);
        Path samples = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        List<Path> files;
        try (Stream<Path> s = Files.list(crops)) {
            files = s.filter(Images::hasImageExtension).sorted().limit(n).toList();
        }
        try (BlazeFaceDetector d = FaceModels.detector("back")) {
            d.minScore(0.5f);
            count("FER+ crops " + crops.getFileName(), files, d);
            try (Stream<Path> s = Files.list(samples)) {
                count("sample photos", s.filter(Images::hasImageExtension).sorted().toList(), d);
            }
        }
        try (BlazeFaceDetector d = FaceModels.detector("back");
                Stream<Path> s = Files.list(samples)) {
            for (Path f : s.filter(Images::hasImageExtension).sorted().toList()) {
                for (int tiles : new int[] {1, 2, 3, 6}) {
                    BufferedImage t = tiled(Images.read(f), tiles);
                    List<DetectedFace> faces = d.detect(t);
                    long confirmed =
                            faces.stream().filter(x -> FaceBoxes.confirmed(d, t, x)).count();
                    System.out.printf(
                            Locale.ROOT,
                            "%s tiled %dx%d: %d boxes, %d confirmed by re-detection%n",
                            f.getFileName(),
                            tiles,
                            tiles,
                            faces.size(),
                            confirmed);
                }
            }
        }
        System.out.println("assets " + Assets.root());
    }

    /**
     * The photo shrunk into a tiles x tiles grid of itself (faces far below the detector's
     * resolution).
     */
    static BufferedImage tiled(BufferedImage src, int tiles) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage t = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = t.createGraphics();
        for (int i = 0; i < tiles; i++) {
            for (int j = 0; j < tiles; j++) {
                g.drawImage(src, i * w / tiles, j * h / tiles, w / tiles, h / tiles, null);
            }
        }
        g.dispose();
        return t;
    }

    static void count(String what, List<Path> files, BlazeFaceDetector d) {
        int[] raw = new int[4]; // 0, 1, 2+ faces; total boxes
        int[] clean = new int[4];
        for (Path f : files) {
            BufferedImage img = Images.read(f);
            List<DetectedFace> faces = d.detectRaw(img);
            tally(raw, faces.size());
            tally(clean, FaceBoxes.clean(faces, img.getWidth(), img.getHeight()).size());
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %d images | raw: %d without a face, %d with one, %d with 2+, %d boxes"
                        + " | cleaned: %d / %d / %d, %d boxes%n",
                what,
                files.size(),
                raw[0],
                raw[1],
                raw[2],
                raw[3],
                clean[0],
                clean[1],
                clean[2],
                clean[3]);
    }

    private static void tally(int[] t, int n) {
        t[Math.min(n, 2)]++;
        t[3] += n;
    }
}
