package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class FaceCropsTest {

    private static Point2D map(AffineTransform t, double x, double y) {
        return t.transform(new Point2D.Double(x, y), null);
    }

    @Test
    void cropIsCentredSquareWithMargin() {
        DetectedFace face = new DetectedFace(100, 50, 40, 60, 0.9f, new float[0][]);
        AffineTransform t = FaceCrops.transform(face, 100, 0.25f, false);
        // side = 60 * 1.5 = 90 around the centre (120, 80)
        Point2D c = map(t, 120, 80);
        assertEquals(50, c.getX(), 1e-9);
        assertEquals(50, c.getY(), 1e-9);
        Point2D tl = map(t, 75, 35);
        assertEquals(0, tl.getX(), 1e-9);
        assertEquals(0, tl.getY(), 1e-9);
        Point2D br = map(t, 165, 125);
        assertEquals(100, br.getX(), 1e-9);
        assertEquals(100, br.getY(), 1e-9);
    }

    @Test
    void alignmentLevelsTheEyes() {
        // eyes 30 degrees off horizontal around the box centre (50, 50)
        double a = Math.toRadians(30);
        float[][] kps = {
            {(float) (50 - 15 * Math.cos(a)), (float) (40 - 15 * Math.sin(a))},
            {(float) (50 + 15 * Math.cos(a)), (float) (40 + 15 * Math.sin(a))},
            {50, 55},
            {50, 65},
            {30, 50},
            {70, 50}
        };
        DetectedFace face = new DetectedFace(30, 30, 40, 40, 0.9f, kps);
        assertEquals(a, FaceCrops.eyeAngle(face), 1e-6);
        AffineTransform t = FaceCrops.transform(face, 64, 0f, true);
        Point2D r = map(t, kps[0][0], kps[0][1]);
        Point2D l = map(t, kps[1][0], kps[1][1]);
        assertEquals(r.getY(), l.getY(), 1e-4); // level
        assertEquals(30 * 64 / 40.0, l.getX() - r.getX(), 1e-4); // distance scaled by 64/40
        Point2D c = map(t, 50, 50);
        assertEquals(32, c.getX(), 1e-9);
    }

    @Test
    void cropPixelsAndNchwLayout() {
        BufferedImage photo = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(new Color(10, 20, 30));
        g.fillRect(0, 0, 200, 100);
        g.setColor(new Color(255, 0, 0));
        g.fillRect(140, 40, 20, 20); // the "face"
        g.dispose();
        DetectedFace face = new DetectedFace(140, 40, 20, 20, 1f, new float[0][]);
        BufferedImage crop =
                FaceCrops.crop(
                        photo, face, 40, 0.5f, false); // side 40 -> 1:1, face in the middle 20x20
        assertEquals(40, crop.getWidth());
        assertEquals(0xff0000, crop.getRGB(20, 20) & 0xffffff);
        assertEquals(0x0a141e, crop.getRGB(2, 2) & 0xffffff);
        // a crop reaching outside the photo is black there
        BufferedImage edge =
                FaceCrops.crop(
                        photo,
                        new DetectedFace(190, 0, 10, 10, 1f, new float[0][]),
                        20,
                        0.5f,
                        false);
        assertEquals(0, edge.getRGB(18, 1) & 0xffffff);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = FaceCrops.toNchw(m, List.of(crop));
            assertArrayEquals(new long[] {1, 3, 40, 40}, x.getShape().getShape());
            assertEquals(1f, x.getFloat(0, 0, 20, 20), 1e-6);
            assertEquals(0f, x.getFloat(0, 1, 20, 20), 1e-6);
            assertEquals(30 / 255f, x.getFloat(0, 2, 2, 2), 1e-6);
        }
        assertThrows(
                IllegalArgumentException.class, () -> FaceCrops.crop(photo, face, 0, 0.1f, false));
        // a sub-image shares the photo's buffer: its own pixels must be read, not the buffer's
        // start
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sub = FaceCrops.toNchw(m, List.of(photo.getSubimage(150, 50, 4, 4)));
            assertEquals(1f, sub.getFloat(0, 0, 0, 0), 1e-6);
            assertEquals(0f, sub.getFloat(0, 2, 3, 3), 1e-6);
        }
    }
}
