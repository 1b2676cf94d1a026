package org.frafer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.frafer.data.FacePreprocess;
import org.frafer.faces.DetectedFace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Margins, clamping, aspect ratio, antialiasing and eye alignment of face crops. */
@Tag("unit")
class FaceCropperTest {

    /** Left half red, right half blue, across a 200x100 image. */
    static BufferedImage halves() {
        BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 100, 100);
        g.setColor(Color.BLUE);
        g.fillRect(100, 0, 100, 100);
        g.dispose();
        return img;
    }

    @Test
    void cropWithoutMarginMapsTheBoxOntoTheSquareIgnoringAspect() {
        // box 80..120 x 20..80 (40x60): left half red, right half blue
        BufferedImage c =
                new FaceCropper(0f, false, 32)
                        .crop(halves(), new DetectedFace(80, 20, 40, 60, 1f, new float[0][]))
                        .image();
        assertEquals(32, c.getWidth());
        assertEquals(32, c.getHeight());
        assertEquals(Color.RED.getRGB(), c.getRGB(4, 16));
        assertEquals(Color.BLUE.getRGB(), c.getRGB(27, 16));
    }

    @Test
    void marginGrowsTheBoxAndIsClampedToThePhotoLikeTraining() {
        // box 70..110 x 30..70 with margin 0.25 -> 60..120 x 20..80: 40 red and 20 blue columns
        FaceCrop c =
                new FaceCropper(0.25f, false, 30)
                        .crop(halves(), new DetectedFace(70, 30, 40, 40, 1f, new float[0][]));
        assertEquals(Color.RED.getRGB(), c.image().getRGB(5, 15));
        assertEquals(Color.BLUE.getRGB(), c.image().getRGB(25, 15));
        assertArrayEquals(
                FacePreprocess.toChw(halves(), new int[] {60, 20, 60, 60}, 30, false),
                c.input(),
                0f);
        // box 0..40 with margin 0.5 -> -20..60, clamped to 0..60 (training crops never pad)
        FaceCrop edge =
                new FaceCropper(0.5f, false, 30)
                        .crop(halves(), new DetectedFace(0, 0, 40, 40, 1f, new float[0][]));
        assertArrayEquals(
                FacePreprocess.toChw(halves(), new int[] {0, 0, 60, 60}, 30, false),
                edge.input(),
                0f);
    }

    @Test
    void bigFacesAreDownscaledSmoothly() {
        // 1-pixel black/white stripes: a plain bilinear 16x reduction would alias to stripes,
        // averaging gives grey
        BufferedImage img = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 512; x += 2) {
            for (int y = 0; y < 512; y++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        BufferedImage c =
                new FaceCropper(0f, false, 32)
                        .crop(img, new DetectedFace(0, 0, 512, 512, 1f, new float[0][]))
                        .image();
        for (int x = 4; x < 28; x++) {
            int v = c.getRGB(x, 16) & 0xff;
            assertTrue(Math.abs(v - 128) < 20, "pixel " + x + " = " + v);
        }
    }

    @Test
    void alignmentLevelsTheEyes() {
        // two eye dots on a line tilted by 30 degrees around (100, 100)
        BufferedImage img = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        double a = Math.toRadians(30);
        float[][] eyes = {
            {(float) (100 - 40 * Math.cos(a)), (float) (100 - 40 * Math.sin(a))},
            {(float) (100 + 40 * Math.cos(a)), (float) (100 + 40 * Math.sin(a))},
        };
        for (float[] e : eyes) {
            g.fillOval(Math.round(e[0]) - 5, Math.round(e[1]) - 5, 10, 10);
        }
        g.dispose();
        DetectedFace face = new DetectedFace(50, 50, 100, 100, 1f, eyes);
        assertEquals(a, FaceCropper.eyeAngle(face), 1e-6);
        BufferedImage aligned = new FaceCropper(0f, true, 100).crop(img, face).image();
        // after levelling, the eyes sit at (10, 50) and (90, 50)
        assertTrue((aligned.getRGB(10, 50) & 0xff) > 200);
        assertTrue((aligned.getRGB(90, 50) & 0xff) > 200);
        assertTrue((aligned.getRGB(10, 30) & 0xff) < 50);
        BufferedImage unaligned = new FaceCropper(0f, false, 100).crop(img, face).image();
        assertTrue(
                (unaligned.getRGB(10, 50) & 0xff) < 50, "without alignment the eye is elsewhere");
    }
}
