package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Descriptors separate identities: a mirrored face is closer to itself than to the other people's
 * faces.
 */
@Tag("parity")
class FaceDescriptorsTest {

    @Test
    void mirroredFaceIsNearestToItself() throws Exception {
        FaceFixtures.assumeModels();
        float[] px = FaceFixtures.u8AsFloat("fr-crops.u8");
        int size = 160;
        int n = px.length / (size * size * 3);
        List<BufferedImage> faces = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int o = ((k * size + y) * size + x) * 3;
                    img.setRGB(
                            x, y, ((int) px[o] << 16) | ((int) px[o + 1] << 8) | (int) px[o + 2]);
                }
            }
            faces.add(img);
        }
        BufferedImage mirrored = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                mirrored.setRGB(size - 1 - x, y, faces.get(0).getRGB(x, y));
            }
        }
        List<BufferedImage> all = new ArrayList<>(faces);
        all.add(mirrored);
        try (FrBackbone fr = FaceModels.fr("hse-faceres")) {
            float[][] d = FaceDescriptors.of(fr, all, 4); // batches of 4: crosses a batch boundary
            assertEquals(n + 1, d.length);
            assertEquals(1.0, FaceDescriptors.cosine(d[0], d[0]), 1e-6);
            double self = FaceDescriptors.cosine(d[0], d[n]);
            double bestOther = -1;
            for (int k = 1; k < n; k++) {
                bestOther = Math.max(bestOther, FaceDescriptors.cosine(d[0], d[k]));
            }
            System.out.printf(
                    "hse-faceres: cosine(face, mirrored face) = %.3f, best other person = %.3f%n",
                    self, bestOther);
            assertTrue(self > bestOther + 0.05, "mirror " + self + " vs others " + bestOther);
        }
    }
}
