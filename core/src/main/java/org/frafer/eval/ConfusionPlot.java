package org.frafer.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.frafer.io.AtomicFiles;

/**
 * A confusion-matrix heatmap (row-normalised colour, counts and row percentages in the cells) drawn
 * with Java2D.
 */
public final class ConfusionPlot {
    private ConfusionPlot() {}

    public static BufferedImage render(ConfusionMatrix cm, String title) {
        int k = cm.numClasses();
        int cell = 72;
        int left = 110;
        int top = 60;
        int width = left + k * cell + 20;
        int height = top + k * cell + 70;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title == null ? "" : title, 10, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("rows: true class, columns: predicted", 10, 40);
            long[][] counts = cm.counts();
            FontMetrics fm = g.getFontMetrics();
            for (int t = 0; t < k; t++) {
                long support = cm.support(t);
                for (int p = 0; p < k; p++) {
                    double frac = support == 0 ? 0 : (double) counts[t][p] / support;
                    int shade = (int) Math.round(255 * (1 - frac));
                    g.setColor(new Color(shade, shade, 255));
                    int x = left + p * cell;
                    int y = top + t * cell;
                    g.fillRect(x, y, cell, cell);
                    g.setColor(Color.LIGHT_GRAY);
                    g.drawRect(x, y, cell, cell);
                    g.setColor(frac > 0.5 ? Color.WHITE : Color.BLACK);
                    String c = Long.toString(counts[t][p]);
                    String pct = support == 0 ? "" : String.format("%.0f%%", 100 * frac);
                    g.drawString(c, x + (cell - fm.stringWidth(c)) / 2, y + cell / 2 - 2);
                    g.drawString(pct, x + (cell - fm.stringWidth(pct)) / 2, y + cell / 2 + 12);
                }
                g.setColor(Color.BLACK);
                g.drawString(cm.classes().get(t), 5, top + t * cell + cell / 2 + 4);
            }
            for (int p = 0; p < k; p++) {
                String name = cm.classes().get(p);
                String shortName = name.length() > 10 ? name.substring(0, 10) : name;
                g.drawString(
                        shortName,
                        left + p * cell + (cell - fm.stringWidth(shortName)) / 2,
                        top + k * cell + 16);
            }
            g.drawString(
                    String.format(
                            "n=%d  accuracy=%.4f  balanced=%.4f  macro-F1=%.4f",
                            cm.total(), cm.accuracy(), cm.balancedAccuracy(), cm.macroF1()),
                    10,
                    top + k * cell + 45);
        } finally {
            g.dispose();
        }
        return img;
    }

    public static void writePng(ConfusionMatrix cm, String title, Path png) {
        BufferedImage img = render(cm, title);
        AtomicFiles.Unchecked.write(
                png,
                out -> {
                    if (!ImageIO.write(img, "png", out)) {
                        throw new java.io.IOException("no PNG writer");
                    }
                });
    }
}
