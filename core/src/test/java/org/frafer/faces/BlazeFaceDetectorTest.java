package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Detector geometry beyond the TF.js fixtures: other aspect ratios, close-ups, empty images. */
@Tag("parity")
class BlazeFaceDetectorTest {

    private static float iou(DetectedFace a, DetectedFace b) {
        return BlazeFaceDetector.iou(
                new float[] {a.x(), a.y(), a.x() + a.width(), a.y() + a.height()},
                new float[] {b.x(), b.y(), b.x() + b.width(), b.y() + b.height()});
    }

    @Test
    void geometryHoldsForOtherAspectRatiosCloseUpsAndEmptyImages() throws Exception {
        FaceFixtures.assumeModels();
        Assumptions.assumeTrue(
                Assets.present("samples/sample1.jpg"),
                "sample photos not fetched (tools/fetch-assets.sh)");
        BufferedImage photo = Images.read(Assets.require("samples/sample1.jpg"));
        try (BlazeFaceDetector back = FaceModels.detector("back");
                BlazeFaceDetector front = FaceModels.detector("front")) {
            List<DetectedFace> faces = back.detect(photo);
            assertEquals(3, faces.size());

            // Portrait canvas: the photo at (0, 300) on a 1920x2600 black canvas -> same faces
            // shifted by 300.
            BufferedImage tall = new BufferedImage(1920, 2600, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = tall.createGraphics();
            g.drawImage(photo, 0, 300, null);
            g.dispose();
            List<DetectedFace> shifted = back.detect(tall);
            assertEquals(3, shifted.size());
            for (DetectedFace f : faces) {
                DetectedFace moved =
                        new DetectedFace(
                                f.x(),
                                f.y() + 300,
                                f.width(),
                                f.height(),
                                f.score(),
                                f.keypoints());
                float best = 0;
                for (DetectedFace s : shifted) {
                    best = Math.max(best, iou(moved, s));
                }
                System.out.printf("portrait canvas: IoU %.3f%n", best);
                assertTrue(
                        best > 0.7,
                        "face at "
                                + f
                                + " not found again in the portrait canvas (IoU "
                                + best
                                + ")");
            }

            // Close-up for the front model: a square 2.5x the best face, around it, as a sub-image
            // (shares the
            // photo's pixel buffer: a reader ignoring the raster offsets would see the wrong
            // pixels).
            DetectedFace f = faces.get(0);
            int side = Math.round(2.5f * f.width());
            int x0 = Math.round(f.x() + f.width() / 2 - side / 2f);
            int y0 = Math.round(f.y() + f.height() / 2 - side / 2f);
            BufferedImage close = photo.getSubimage(Math.max(0, x0), Math.max(0, y0), side, side);
            List<DetectedFace> closeFaces = front.detect(close);
            assertTrue(closeFaces.size() >= 1, "front model finds the close-up face");
            DetectedFace expected =
                    new DetectedFace(
                            f.x() - Math.max(0, x0),
                            f.y() - Math.max(0, y0),
                            f.width(),
                            f.height(),
                            1f,
                            f.keypoints());
            float best = 0;
            for (DetectedFace c : closeFaces) {
                best = Math.max(best, iou(expected, c));
            }
            System.out.printf(
                    "front model on a close-up: %d face(s), IoU with the back model's box %.3f%n",
                    closeFaces.size(), best);
            assertTrue(best > 0.75, "front vs back box IoU " + best);
            assertTrue(
                    closeFaces.stream().mapToDouble(DetectedFace::score).max().orElse(0) > 0.7,
                    "confident on a close-up");

            assertEquals(
                    0,
                    back.detect(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB)).size(),
                    "black image: no face");
            assertEquals(
                    0,
                    front.detect(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)).size(),
                    "1x1 image: no face");
        }
    }
}
