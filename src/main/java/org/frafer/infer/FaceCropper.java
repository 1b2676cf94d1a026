package org.frafer.infer;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import org.frafer.faces.DetectedFace;

/**
 * Cuts a detected face out of a photo for the network: the box grown by a margin, optionally rotated
 * so the eyes are level, resized to a square ignoring the aspect ratio (as HSEmotion feeds its
 * crops). Parts of the grown box outside the photo are black.
 */
public final class FaceCropper {
    private final float margin;
    private final boolean align;
    private final int size;

    /**
     * @param margin fraction of the box width (height) added on the left and right (top and bottom)
     * @param align rotate about the box centre so the eye keypoints are level (needs keypoints; faces
     *     without them are cropped unrotated)
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

    /** The angle (radians) that levels the eyes: from the image-left eye (keypoint 0) to the other (keypoint 1). */
    static double eyeAngle(DetectedFace face) {
        float[][] k = face.keypoints();
        if (k == null || k.length < 2 || k[0].length < 2 || k[1].length < 2) {
            return 0;
        }
        return Math.atan2(k[1][1] - k[0][1], k[1][0] - k[0][0]);
    }

    public BufferedImage crop(BufferedImage image, DetectedFace face) {
        double w = face.width() * (1 + 2 * margin);
        double h = face.height() * (1 + 2 * margin);
        if (!(w >= 1 && h >= 1)) {
            throw new IllegalArgumentException("face box too small to crop: " + face.width() + " x " + face.height());
        }
        double cx = face.x() + face.width() / 2.0;
        double cy = face.y() + face.height() / 2.0;
        double angle = align ? eyeAngle(face) : 0;
        // Render at the largest power-of-two multiple of the output that does not upscale, then
        // halve step by step: one big bilinear step would alias (skip most source pixels).
        int tw = size;
        int th = size;
        while (tw * 2 <= w && th * 2 <= h) {
            tw *= 2;
            th *= 2;
        }
        AffineTransform t = new AffineTransform();
        t.translate(tw / 2.0, th / 2.0);
        t.scale(tw / w, th / h);
        t.rotate(-angle);
        t.translate(-cx, -cy);
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, tw, th);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, t, null);
        } finally {
            g.dispose();
        }
        while (out.getWidth() > size) {
            out = resize(out, out.getWidth() / 2, out.getHeight() / 2);
        }
        return out;
    }

    /** Bilinear resize to width x height (any aspect ratio), RGB. */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Resizes a face that is already cropped to size x size, halving first when it is much larger. */
    public BufferedImage fit(BufferedImage face) {
        if (face.getWidth() == size && face.getHeight() == size && face.getType() == BufferedImage.TYPE_INT_RGB) {
            return face;
        }
        return crop(face, new DetectedFace(0, 0, face.getWidth(), face.getHeight(), 1f, new float[0][]), 0f, false);
    }

    private BufferedImage crop(BufferedImage image, DetectedFace face, float m, boolean a) {
        return new FaceCropper(m, a, size).crop(image, face);
    }
}
