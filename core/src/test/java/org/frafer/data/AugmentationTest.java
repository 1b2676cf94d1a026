package org.frafer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    static final int S = 24;

    /** A colour image with structure: a gradient in x, another in y, a bright square. */
    static float[] pattern() {
        int plane = S * S;
        float[] img = new float[3 * plane];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                img[y * S + x] = x / (S - 1f);
                img[plane + y * S + x] = y / (S - 1f);
                img[2 * plane + y * S + x] = (x > 5 && x < 12 && y > 3 && y < 9) ? 0.9f : 0.2f;
            }
        }
        return img;
    }

    @Test
    void noneIsTheIdentity() {
        float[] img = pattern();
        Augmentation.NONE.apply(img, 0, S, new SplittableRandom(1));
        assertArrayEquals(pattern(), img);
    }

    @Test
    void affineWithoutZoomRotationOrShiftIsTheIdentity() {
        assertArrayEquals(pattern(), Augmentation.affine(pattern(), S, 1, 0, 0, 0), 1e-6f);
    }

    @Test
    void affineShiftsAndRotatesAsDefined() {
        float[] img = pattern();
        // a whole-pixel shift right by 2: out(x, y) = in(x - 2, y) away from the left border
        float[] shifted = Augmentation.affine(img, S, 1, 0, 2, 0);
        for (int y = 0; y < S; y++) {
            for (int x = 2; x < S; x++) {
                assertEquals(img[y * S + x - 2], shifted[y * S + x], 1e-5f);
            }
        }
        // a quarter turn maps the x-gradient (plane 0) onto a y-gradient: in image coordinates (y
        // down),
        // out(x, y) = in(c + (y - c), c - (x - c)) for angle +90 degrees
        float[] turned = Augmentation.affine(img, S, 1, Math.PI / 2, 0, 0);
        double c = (S - 1) / 2.0;
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                int sx = (int) Math.round(c + (y - c));
                int sy = (int) Math.round(c - (x - c));
                assertEquals(img[sy * S + sx], turned[y * S + x], 1e-4f, "at " + x + "," + y);
            }
        }
        // zoom 2 about the centre: the centre pixel stays, a pixel d from the centre shows the one
        // d / 2 away
        float[] zoomed = Augmentation.affine(img, S, 2, 0, 0, 0);
        float expect = (float) ((c + (20 - c) / 2) / (S - 1));
        assertEquals(expect, zoomed[5 * S + 20], 1e-5f);
    }

    @Test
    void sameRandomSourceSameImageAndValuesStayInRange() {
        Augmentation a = Augmentation.STANDARD;
        float[] one = pattern();
        float[] two = pattern();
        a.apply(one, 0, S, new SplittableRandom(42));
        a.apply(two, 0, S, new SplittableRandom(42));
        assertArrayEquals(one, two);
        float[] other = pattern();
        a.apply(other, 0, S, new SplittableRandom(43));
        assertNotEquals(Arrays.toString(one), Arrays.toString(other));
        for (int seed = 0; seed < 50; seed++) {
            float[] img = pattern();
            a.apply(img, 0, S, new SplittableRandom(seed));
            for (float v : img) {
                assertTrue(v >= 0f && v <= 1f);
            }
        }
    }

    @Test
    void greyFacesStayGreyAndTheImageAtAnOffsetIsTheOneChanged() {
        int plane = S * S;
        float[] buf = new float[2 * 3 * plane];
        float[] grey = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            float v = (i % S) / (S - 1f);
            grey[i] = v;
            grey[plane + i] = v;
            grey[2 * plane + i] = v;
        }
        System.arraycopy(grey, 0, buf, 3 * plane, 3 * plane);
        Arrays.fill(buf, 0, 3 * plane, 0.25f);
        for (int seed = 0; seed < 20; seed++) {
            float[] b = buf.clone();
            Augmentation.STANDARD.apply(b, 3 * plane, S, new SplittableRandom(seed));
            for (int i = 0; i < 3 * plane; i++) {
                assertEquals(0.25f, b[i]); // the image before the offset is untouched
            }
            for (int i = 0; i < plane; i++) {
                assertEquals(b[3 * plane + i], b[4 * plane + i]);
                assertEquals(b[3 * plane + i], b[5 * plane + i]);
            }
        }
    }

    @Test
    void resizeAndBlurKeepAConstantImageConstant() {
        float[] flat = new float[3 * S * S];
        Arrays.fill(flat, 0.4f);
        float[] small = Augmentation.resize(flat, S, 7);
        assertEquals(3 * 7 * 7, small.length);
        for (float v : Augmentation.resize(small, 7, S)) {
            assertEquals(0.4f, v, 1e-6f);
        }
        float[] b = flat.clone();
        Augmentation.blur(b, S, 1.2);
        for (float v : b) {
            assertEquals(0.4f, v, 1e-6f);
        }
        // area averaging when shrinking by 2: each output pixel is the mean of its 2x2 block
        float[] img = pattern();
        float[] half = Augmentation.resize(img, S, S / 2);
        assertEquals((img[0] + img[1] + img[S] + img[S + 1]) / 4, half[0], 1e-6f);
    }

    @Test
    void erasingChangesOneRectangleOfBoundedArea() {
        for (int seed = 0; seed < 30; seed++) {
            float[] img = new float[3 * S * S];
            Arrays.fill(img, 2f); // outside [0, 1]: every erased pixel is visible
            Augmentation.erase(img, S, new SplittableRandom(seed));
            int changed = 0;
            int minX = S;
            int maxX = -1;
            int minY = S;
            int maxY = -1;
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    if (img[y * S + x] != 2f) {
                        changed++;
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            assertTrue(changed >= 1 && changed <= 0.25 * S * S, "erased " + changed);
            assertEquals((maxX - minX + 1) * (maxY - minY + 1), changed, "a filled rectangle");
        }
    }

    @Test
    void namedAndValidated() {
        assertEquals(Augmentation.NONE, Augmentation.named("none"));
        assertEquals(Augmentation.STANDARD, Augmentation.named("standard"));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.named("heavy"));
        assertThrows(
                IllegalArgumentException.class, () -> new Augmentation(0.9, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new Augmentation(0, 0, 0, 0, 1.5, 0, 0, 0));
    }
}
