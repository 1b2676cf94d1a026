package org.frafer.infer;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/** Draws face boxes, keypoints and "label score" tags on a copy of a photo. */
public final class Annotator {
    private static final Color[] PALETTE = {
        new Color(0xE6194B), new Color(0x911EB4), new Color(0x3CB44B), new Color(0x4363D8),
        new Color(0xFFE119), new Color(0xA9A9A9), new Color(0x42D4F4), new Color(0xF58231),
    };

    private Annotator() {}

    /** Colour of a class (stable across images). */
    public static Color colour(int classIndex) {
        return PALETTE[Math.floorMod(classIndex, PALETTE.length)];
    }

    /** A copy of the photo (same size, RGB) with every face marked. */
    public static BufferedImage annotate(BufferedImage photo, List<FaceEmotion> faces) {
        BufferedImage out =
                new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(photo, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            // Line width and text size follow the photo size so tags stay readable on big photos.
            float scale = Math.max(1f, Math.max(photo.getWidth(), photo.getHeight()) / 800f);
            g.setStroke(new BasicStroke(2 * scale));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(14 * scale)));
            FontMetrics fm = g.getFontMetrics();
            for (FaceEmotion f : faces) {
                Color c = colour(f.topIndex());
                float x = f.face().x();
                float y = f.face().y();
                g.setColor(c);
                g.drawRect(
                        Math.round(x),
                        Math.round(y),
                        Math.round(f.face().width()),
                        Math.round(f.face().height()));
                float[][] kp = f.face().keypoints();
                if (kp != null) {
                    int r = Math.round(2 * scale);
                    for (float[] p : kp) {
                        if (p.length >= 2) {
                            g.fillOval(Math.round(p[0]) - r, Math.round(p[1]) - r, 2 * r, 2 * r);
                        }
                    }
                }
                String tag = String.format(Locale.ROOT, "%s %.2f", f.label(), f.score());
                int tw = fm.stringWidth(tag) + 6;
                int th = fm.getHeight();
                int tx = Math.max(0, Math.min(Math.round(x), photo.getWidth() - tw));
                int ty =
                        Math.round(y) - th >= 0
                                ? Math.round(y) - th
                                : Math.round(y + f.face().height());
                ty = Math.max(0, Math.min(ty, photo.getHeight() - th));
                g.fillRect(tx, ty, tw, th);
                g.setColor(
                        c.getRed() * 0.299 + c.getGreen() * 0.587 + c.getBlue() * 0.114 > 150
                                ? Color.BLACK
                                : Color.WHITE);
                g.drawString(tag, tx + 3, ty + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
