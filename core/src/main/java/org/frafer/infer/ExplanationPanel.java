package org.frafer.infer;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * One face's explanation as a picture, like Fig. 4 of the FRA-FER paper: the input face, the FR
 * attention map S (upsampled to the face, optionally over it), and the channel mean of the FER
 * feature map H_FER_q before and after the attention (one colour scale for both, so they compare).
 */
public final class ExplanationPanel {
    /** Side of each of the four tiles. */
    public static final int TILE = 224;

    static final int GAP = 12;
    static final int TITLE = 34;
    static final int CAPTION = 40;
    public static final int WIDTH = 4 * TILE + 5 * GAP;
    public static final int HEIGHT = TITLE + TILE + CAPTION + GAP;

    private ExplanationPanel() {}

    /**
     * {@link #render(FaceExplanation, String, boolean, boolean)} with S on its absolute 0..1 scale.
     */
    public static BufferedImage render(FaceExplanation e, String title, boolean overlay) {
        return render(e, title, overlay, false);
    }

    /**
     * @param title shown on top with the predicted emotion, e.g. the file name and face number
     * @param overlay draw S half-transparent over the face instead of alone
     * @param stretch colour S from its own min to max instead of 0..1 (shows structure in a flat
     *     map, e.g. of an untrained model, but hides how strong the attention is)
     */
    public static BufferedImage render(
            FaceExplanation e, String title, boolean overlay, boolean stretch) {
        BufferedImage out = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            FaceEmotion em = e.emotion();
            g.drawString(
                    String.format(
                            Locale.ROOT,
                            "%s  -  predicted %s %.2f  (fusion %s)",
                            title,
                            em.label(),
                            em.score(),
                            e.fusion()),
                    GAP,
                    23);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

            int y = TITLE;
            BufferedImage face = FaceCropper.resize(e.input(), TILE, TILE);
            g.drawImage(face, x(0), y, null);
            caption(
                    g,
                    0,
                    "input face (" + e.input().getWidth() + "x" + e.input().getHeight() + ")",
                    "");

            if (e.attention() != null) {
                FloatTensor s = e.attention();
                float lo = stretch ? s.min() : 0f;
                float hi = stretch ? s.max() : 1f;
                BufferedImage heat = FaceCropper.resize(heatMap(plane(s), lo, hi), TILE, TILE);
                if (overlay) {
                    heat = blend(face, heat, 0.55f);
                }
                g.drawImage(heat, x(1), y, null);
                caption(
                        g,
                        1,
                        "FR attention S, " + shape(s),
                        String.format(
                                Locale.ROOT,
                                "%s: min %.3f max %.3f",
                                stretch ? "stretched" : "scale 0..1",
                                s.min(),
                                s.max()));
            } else {
                blank(g, 1, "no FR attention:", "fusion '" + e.fusion() + "' has none");
                caption(g, 1, "FR attention S", "not part of this model");
            }

            FloatTensor before = e.featureBefore() == null ? null : e.featureBefore().channelMean();
            FloatTensor after = e.featureAfter() == null ? null : e.featureAfter().channelMean();
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (FloatTensor t : new FloatTensor[] {before, after}) {
                if (t != null) {
                    lo = Math.min(lo, t.min());
                    hi = Math.max(hi, t.max());
                }
            }
            String scale = String.format(Locale.ROOT, "shared scale %.2g..%.2g", lo, hi);
            tile(g, 2, before, e.featureBefore(), lo, hi, "H_FER before", scale);
            tile(
                    g,
                    3,
                    after,
                    e.featureAfter(),
                    lo,
                    hi,
                    "none".equals(e.fusion()) ? "H_FER (no fusion)" : "H_FER after",
                    scale);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void tile(
            Graphics2D g,
            int i,
            FloatTensor mean,
            FloatTensor full,
            float lo,
            float hi,
            String name,
            String scale) {
        if (mean == null) {
            blank(g, i, "not exposed", "by this model");
            caption(g, i, name, "");
            return;
        }
        g.drawImage(FaceCropper.resize(heatMap(mean, lo, hi), TILE, TILE), x(i), TITLE, null);
        caption(
                g,
                i,
                name + ", mean of " + full.dim(0) + " ch",
                full.dim(1) + "x" + full.dim(2) + ", " + scale);
    }

    private static int x(int tile) {
        return GAP + tile * (TILE + GAP);
    }

    private static void caption(Graphics2D g, int tile, String line1, String line2) {
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        int y = TITLE + TILE + fm.getAscent() + 4;
        g.drawString(fit(fm, line1), x(tile), y);
        g.drawString(fit(fm, line2), x(tile), y + fm.getHeight());
    }

    private static String fit(FontMetrics fm, String s) {
        while (fm.stringWidth(s) > TILE && s.length() > 4) {
            s = s.substring(0, s.length() - 4) + "...";
        }
        return s;
    }

    private static void blank(Graphics2D g, int tile, String line1, String line2) {
        g.setColor(new Color(0xDDDDDD));
        g.fillRect(x(tile), TITLE, TILE, TILE);
        g.setColor(Color.DARK_GRAY);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(line1, x(tile) + (TILE - fm.stringWidth(line1)) / 2, TITLE + TILE / 2 - 4);
        g.drawString(
                line2,
                x(tile) + (TILE - fm.stringWidth(line2)) / 2,
                TITLE + TILE / 2 + fm.getHeight());
    }

    private static String shape(FloatTensor t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < t.rank(); i++) {
            b.append(i == 0 ? "" : "x").append(t.dim(i));
        }
        return b.toString();
    }

    /** A (1, H, W) or (H, W) tensor as (H, W). */
    static FloatTensor plane(FloatTensor t) {
        if (t.rank() == 3 && t.dim(0) == 1) {
            return new FloatTensor(new long[] {t.dim(1), t.dim(2)}, t.data());
        }
        if (t.rank() != 2) {
            throw new IllegalArgumentException("expected a (1, H, W) or (H, W) map, got " + t);
        }
        return t;
    }

    /**
     * An (H, W) map coloured with viridis between lo and hi (a constant map is drawn at the low
     * end).
     */
    public static BufferedImage heatMap(FloatTensor map, float lo, float hi) {
        int h = (int) map.dim(0);
        int w = (int) map.dim(1);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float range = hi - lo;
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                float v = map.data()[yy * w + xx];
                float t = range > 0 ? (v - lo) / range : 0f;
                img.setRGB(xx, yy, viridis(t));
            }
        }
        return img;
    }

    private static final float[][] VIRIDIS = {
        {68, 1, 84}, {72, 40, 120}, {62, 74, 137}, {49, 104, 142}, {38, 130, 142},
        {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37},
    };

    static int viridis(float t) {
        float c = Math.max(0f, Math.min(1f, Float.isNaN(t) ? 0f : t)) * (VIRIDIS.length - 1);
        int i = Math.min((int) c, VIRIDIS.length - 2);
        float f = c - i;
        int r = Math.round(VIRIDIS[i][0] + f * (VIRIDIS[i + 1][0] - VIRIDIS[i][0]));
        int gg = Math.round(VIRIDIS[i][1] + f * (VIRIDIS[i + 1][1] - VIRIDIS[i][1]));
        int b = Math.round(VIRIDIS[i][2] + f * (VIRIDIS[i + 1][2] - VIRIDIS[i][2]));
        return (r << 16) | (gg << 8) | b;
    }

    private static BufferedImage blend(BufferedImage base, BufferedImage top, float alpha) {
        BufferedImage out =
                new BufferedImage(base.getWidth(), base.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int yy = 0; yy < base.getHeight(); yy++) {
            for (int xx = 0; xx < base.getWidth(); xx++) {
                int a = base.getRGB(xx, yy);
                int b = top.getRGB(xx, yy);
                int r = Math.round((1 - alpha) * ((a >> 16) & 0xff) + alpha * ((b >> 16) & 0xff));
                int gg = Math.round((1 - alpha) * ((a >> 8) & 0xff) + alpha * ((b >> 8) & 0xff));
                int bb = Math.round((1 - alpha) * (a & 0xff) + alpha * (b & 0xff));
                out.setRGB(xx, yy, (r << 16) | (gg << 8) | bb);
            }
        }
        return out;
    }
}
