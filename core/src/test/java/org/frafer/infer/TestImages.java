package org.frafer.infer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Synthetic photos for the test doubles: noise with green-framed "faces" of random content. */
public final class TestImages {
    private TestImages() {}

    /** An image with the given face boxes {x, y, w, h}; content seeded, never pure green inside. */
    public static BufferedImage withFaces(int width, int height, long seed, int[]... boxes) {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(
                        x,
                        y,
                        new Color(rnd.nextInt(256), rnd.nextInt(180), rnd.nextInt(256)).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        for (int[] b : boxes) {
            // Smooth random blobs inside, so crops of different faces differ clearly.
            for (int k = 0; k < 6; k++) {
                g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(180), rnd.nextInt(256)));
                g.fillOval(
                        b[0] + rnd.nextInt(Math.max(1, b[2] / 2)),
                        b[1] + rnd.nextInt(Math.max(1, b[3] / 2)),
                        b[2] / 2,
                        b[3] / 2);
            }
            g.setColor(new Color(0, 255, 0));
            g.drawRect(b[0], b[1], b[2] - 1, b[3] - 1);
            g.drawRect(b[0] + 1, b[1] + 1, b[2] - 3, b[3] - 3);
        }
        g.dispose();
        return img;
    }

    public static Path writePng(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }
}
