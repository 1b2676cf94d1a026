package org.frafer.video;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.frafer.infer.Annotator;
import org.frafer.infer.FaceEmotion;

/** Draws boxes, labels (as photos get them, {@link Annotator}) and the track id under each box. */
public final class FrameAnnotator {
    private FrameAnnotator() {}

    public static BufferedImage annotate(BufferedImage frame, FrameResult r) {
        List<FaceEmotion> shown = new ArrayList<>();
        for (TrackedFace f : r.faces()) {
            shown.add(new FaceEmotion(f.emotion().face(), f.emotion().classes(), f.smoothed()));
        }
        BufferedImage out = Annotator.annotate(frame, shown);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float scale = Math.max(1f, Math.max(frame.getWidth(), frame.getHeight()) / 800f);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(16 * scale)));
            g.setStroke(new BasicStroke(scale));
            for (TrackedFace f : r.faces()) {
                var b = f.emotion().face();
                String id = "#" + f.track();
                int x = Math.round(b.x());
                int y =
                        Math.min(
                                frame.getHeight() - 2,
                                Math.round(b.y() + b.height()) + g.getFontMetrics().getAscent());
                g.setColor(Color.BLACK);
                g.drawString(id, x + 1, y + 1);
                g.setColor(Color.WHITE);
                g.drawString(id, x, y);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
