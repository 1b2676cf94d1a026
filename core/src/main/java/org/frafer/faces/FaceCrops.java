package org.frafer.faces;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import org.frafer.data.Images;

/**
 * Square face crops from detections: centred on the box, side = max(width, height) * (1 + 2 *
 * margin), optionally rotated so the eye line is horizontal (BlazeFace keypoints 0 and 1), resized
 * to {@code size} with bilinear interpolation; outside the photo is black.
 */
public final class FaceCrops {
    private FaceCrops() {}

    /**
     * Photo-to-crop transform. {@code margin}: fraction of the box side added on each side (0.2 =
     * 20%). {@code align}: rotate about the box centre so the eyes are level.
     */
    public static AffineTransform transform(
            DetectedFace face, int size, float margin, boolean align) {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        if (margin < 0 || Float.isNaN(margin)) {
            throw new IllegalArgumentException("crop margin must be >= 0, got " + margin);
        }
        double cx = face.x() + face.width() / 2.0;
        double cy = face.y() + face.height() / 2.0;
        double side = Math.max(face.width(), face.height()) * (1 + 2.0 * margin);
        if (!(side > 0)) {
            throw new IllegalArgumentException("face box has no area: " + face);
        }
        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0, size / 2.0);
        t.scale(size / side, size / side);
        if (align) {
            t.rotate(-eyeAngle(face));
        }
        t.translate(-cx, -cy);
        return t;
    }

    /**
     * Angle of the line from the subject's right eye (image left) to the left eye, radians; 0
     * without keypoints.
     */
    public static double eyeAngle(DetectedFace face) {
        float[][] k = face.keypoints();
        if (k == null || k.length < 2) {
            return 0;
        }
        return Math.atan2(k[1][1] - k[0][1], k[1][0] - k[0][0]);
    }

    public static BufferedImage crop(
            BufferedImage photo, DetectedFace face, int size, float margin, boolean align) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, size, size);
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(photo, transform(face, size, margin, align), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Images (all the same size) as an NCHW float32 RGB array in [0, 1]: the face batch every
     * network takes.
     */
    public static NDArray toNchw(NDManager manager, List<BufferedImage> faces) {
        if (faces.isEmpty()) {
            throw new IllegalArgumentException("no faces to convert");
        }
        int w = faces.get(0).getWidth();
        int h = faces.get(0).getHeight();
        float[] data = new float[faces.size() * 3 * h * w];
        int plane = h * w;
        for (int n = 0; n < faces.size(); n++) {
            BufferedImage img = Images.toRgb(faces.get(n));
            if (img.getWidth() != w || img.getHeight() != h) {
                throw new IllegalArgumentException(
                        "face "
                                + n
                                + " is "
                                + img.getWidth()
                                + "x"
                                + img.getHeight()
                                + ", expected "
                                + w
                                + "x"
                                + h);
            }
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            int base = n * 3 * plane;
            for (int i = 0; i < plane; i++) {
                int p = px[i];
                data[base + i] = ((p >> 16) & 0xff) / 255f;
                data[base + plane + i] = ((p >> 8) & 0xff) / 255f;
                data[base + 2 * plane + i] = (p & 0xff) / 255f;
            }
        }
        return manager.create(data, new Shape(faces.size(), 3, h, w));
    }
}
