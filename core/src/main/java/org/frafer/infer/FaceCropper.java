package org.frafer.infer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import org.frafer.data.FacePreprocess;
import org.frafer.faces.DetectedFace;

/**
 * Cuts a detected face out of a photo for the network, the way training prepares its faces ({@link
 * FacePreprocess}: crop by the box clamped to the photo, resize to a square ignoring the aspect
 * ratio, bilinear with PIL's antialiasing, as HSEmotion's {@code Resize((224, 224))}). The box is
 * first grown by a margin. With alignment, the grown box is first cut out rotated (at the photo's
 * own resolution, black outside the photo) so the eyes are level.
 */
public final class FaceCropper {
    private final float margin;
    private final boolean align;
    private final int size;

    /**
     * @param margin fraction of the box width (height) added on the left and right (top and bottom)
     * @param align rotate about the box centre so the eye keypoints are level (needs keypoints;
     *     faces without them are cropped unrotated)
     * @param size side of the square output
     */
    public FaceCropper(float margin, boolean align, int size) {
        if (!(margin >= 0 && margin <= 2)) {
            throw new IllegalArgumentException("crop margin must be in [0, 2], got " + margin);
        }
        if (size < 1) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        this.margin = margin;
        this.align = align;
        this.size = size;
    }

    public int size() {
        return size;
    }

    /**
     * The angle (radians) that levels the eyes: from the image-left eye (keypoint 0) to the other
     * (keypoint 1).
     */
    static double eyeAngle(DetectedFace face) {
        float[][] k = face.keypoints();
        if (k == null || k.length < 2 || k[0].length < 2 || k[1].length < 2) {
            return 0;
        }
        return Math.atan2(k[1][1] - k[0][1], k[1][0] - k[0][0]);
    }

    /** The box grown by the margin, in whole pixels {x, y, w, h} (may reach outside the photo). */
    int[] grownBox(DetectedFace face) {
        double w = face.width() * (1 + 2.0 * margin);
        double h = face.height() * (1 + 2.0 * margin);
        if (!(w >= 1 && h >= 1)) {
            throw new IllegalArgumentException(
                    "face box too small to crop: " + face.width() + " x " + face.height());
        }
        int x0 = (int) Math.round(face.x() - margin * (double) face.width());
        int y0 = (int) Math.round(face.y() - margin * (double) face.height());
        return new int[] {
            x0, y0, (int) Math.max(1, Math.round(w)), (int) Math.max(1, Math.round(h))
        };
    }

    public FaceCrop crop(BufferedImage photo, DetectedFace face) {
        double angle = align ? eyeAngle(face) : 0;
        float[] input;
        if (angle == 0) {
            input = FacePreprocess.toChw(photo, grownBox(face), size, false);
        } else {
            input = FacePreprocess.toChw(rotatedRegion(photo, face, angle), null, size, false);
        }
        return new FaceCrop(face, toImage(input, size), input);
    }

    /** A face that is already cropped: the whole image, resized to the input size. */
    public FaceCrop whole(BufferedImage face) {
        float[] input = FacePreprocess.toChw(face, null, size, false);
        return new FaceCrop(
                new DetectedFace(0, 0, face.getWidth(), face.getHeight(), 1f, new float[0][]),
                toImage(input, size),
                input);
    }

    /** The grown box around the face centre, rotated by -angle, at the photo's resolution. */
    private BufferedImage rotatedRegion(BufferedImage photo, DetectedFace face, double angle) {
        int[] box = grownBox(face);
        double cx = face.x() + face.width() / 2.0;
        double cy = face.y() + face.height() / 2.0;
        AffineTransform t = new AffineTransform();
        t.translate(box[2] / 2.0, box[3] / 2.0);
        t.rotate(-angle);
        t.translate(-cx, -cy);
        BufferedImage out = new BufferedImage(box[2], box[3], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, box[2], box[3]);
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(photo, t, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** CHW [0, 1] floats as an RGB picture (rounded to 8 bits). */
    public static BufferedImage toImage(float[] chw, int size) {
        int plane = size * size;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException(
                    "expected 3x" + size + "x" + size + " values, got " + chw.length);
        }
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] =
                    (byte8(chw[i]) << 16)
                            | (byte8(chw[plane + i]) << 8)
                            | byte8(chw[2 * plane + i]);
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, size, size, rgb, 0, size);
        return img;
    }

    private static int byte8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /** Bilinear resize to width x height (any aspect ratio), RGB; for display only. */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
