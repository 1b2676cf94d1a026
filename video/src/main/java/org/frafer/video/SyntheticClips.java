package org.frafer.video;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.frafer.data.Images;

/**
 * Short test clips made from real faces with FFmpeg, with what each frame shows: who is where with
 * which expression. From the Yale faces ({@code subjectNN.CONDITION} grey photos): one person going
 * normal -> happy -> surprised, two people side by side who swap sides after a cut with a solo shot
 * in between, and a folder of per-expression clips in the AFEW layout for the clip classifier. From
 * any photo: a pan and zoom over it at a chosen size (for speed measurements at 720p and 1080p).
 *
 * <p>Frames are drawn on a grey canvas with a slow drift of a few pixels per frame, so consecutive
 * frames differ as in a real recording; clips are encoded at high quality.
 */
public final class SyntheticClips {

    /** Where one person's picture is in a frame. */
    public record Shown(String person, String expression, Rectangle region) {}

    /** What a frame shows; {@code window} is the photo region shown (pan clips), else null. */
    public record ExpectedFrame(int frame, List<Shown> shown, double[] window) {}

    public static final double FPS = 10;
    private static final int QUALITY = 2;

    private SyntheticClips() {}

    /** Yale conditions used as expressions, and the AFEW class folder each goes to. */
    public static final Map<String, String> YALE_TO_AFEW =
            Map.of("normal", "Neutral", "happy", "Happy", "surprised", "Surprise", "sad", "Sad");

    /** subjectNN.condition of the Yale database; a clear error when missing. */
    public static BufferedImage yale(Path yaleDir, int subject, String condition) {
        Path p = yaleDir.resolve(String.format("subject%02d.%s", subject, condition));
        return Images.read(p, Images.DEFAULT_MAX_PIXELS);
    }

    /** One person: normal, happy, surprised, {@code framesEach} frames each at {@link #FPS}. */
    public static List<ExpectedFrame> expressions(
            Path yaleDir, int subject, Path out, int framesEach) {
        List<ExpectedFrame> expected = new ArrayList<>();
        String person = "subject" + subject;
        try (VideoWriter w = new VideoWriter(out, 640, 480, FPS, QUALITY, true)) {
            int frame = 0;
            for (String expr : List.of("normal", "happy", "surprised")) {
                BufferedImage face = yale(yaleDir, subject, expr);
                for (int i = 0; i < framesEach; i++, frame++) {
                    BufferedImage canvas = canvas(640, 480);
                    Rectangle r =
                            place(canvas, face, 80 + drift(frame), 40 + drift(frame + 3), 1.5);
                    w.write(canvas);
                    expected.add(
                            new ExpectedFrame(frame, List.of(new Shown(person, expr, r)), null));
                }
            }
        }
        return expected;
    }

    /**
     * Two people: A left and B right; a cut to B alone; B left and A right (swapped); A alone.
     * {@code framesEach} frames per shot.
     */
    public static List<ExpectedFrame> twoPeople(
            Path yaleDir, int a, int b, Path out, int framesEach) {
        BufferedImage fa = yale(yaleDir, a, "normal");
        BufferedImage fb = yale(yaleDir, b, "happy");
        String pa = "subject" + a;
        String pb = "subject" + b;
        List<ExpectedFrame> expected = new ArrayList<>();
        try (VideoWriter w = new VideoWriter(out, 800, 400, FPS, QUALITY, true)) {
            int frame = 0;
            for (int shot = 0; shot < 4; shot++) {
                for (int i = 0; i < framesEach; i++, frame++) {
                    BufferedImage canvas = canvas(800, 400);
                    List<Shown> shown = new ArrayList<>();
                    int d = drift(frame);
                    switch (shot) {
                        case 0 -> {
                            shown.add(new Shown(pa, "normal", place(canvas, fa, 40 + d, 60, 1.0)));
                            shown.add(new Shown(pb, "happy", place(canvas, fb, 440 - d, 60, 1.0)));
                        }
                        case 1 ->
                                shown.add(
                                        new Shown(
                                                pb, "happy", place(canvas, fb, 200 + d, 20, 1.4)));
                        case 2 -> {
                            shown.add(new Shown(pb, "happy", place(canvas, fb, 40 + d, 60, 1.0)));
                            shown.add(new Shown(pa, "normal", place(canvas, fa, 440 - d, 60, 1.0)));
                        }
                        default ->
                                shown.add(
                                        new Shown(
                                                pa, "normal", place(canvas, fa, 160 + d, 30, 1.3)));
                    }
                    w.write(canvas);
                    expected.add(new ExpectedFrame(frame, shown, null));
                }
            }
        }
        return expected;
    }

    /**
     * A pan and zoom over a photo: a window of 70 % -> 55 % of the photo's size moving from the
     * top-left towards the bottom-right, scaled to width x height. {@code window} of each frame is
     * {x, y, scale}: photo point (px, py) is at ((px - x) * scale, (py - y) * scale) in the frame.
     */
    public static List<ExpectedFrame> panZoom(
            BufferedImage photo, Path out, int width, int height, int frames, double fps) {
        List<ExpectedFrame> expected = new ArrayList<>();
        int pw = photo.getWidth();
        int ph = photo.getHeight();
        double aspect = width / (double) height;
        try (VideoWriter w = new VideoWriter(out, width, height, fps, QUALITY, true)) {
            for (int i = 0; i < frames; i++) {
                double t = frames > 1 ? i / (double) (frames - 1) : 0;
                double frac = 0.7 - 0.15 * t;
                double ww =
                        Math.min(pw, ph * aspect)
                                * frac; // the largest window of the frame's aspect, shrunk
                double wh = ww / aspect;
                double x = (pw - ww) * (0.2 + 0.6 * t);
                double y = (ph - wh) * (0.2 + 0.6 * t);
                double scale = width / ww;
                BufferedImage frame =
                        new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = frame.createGraphics();
                g.setRenderingHint(
                        RenderingHints.KEY_INTERPOLATION,
                        RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(
                        photo,
                        0,
                        0,
                        width,
                        height,
                        (int) Math.round(x),
                        (int) Math.round(y),
                        (int) Math.round(x + ww),
                        (int) Math.round(y + wh),
                        null);
                g.dispose();
                w.write(frame);
                expected.add(
                        new ExpectedFrame(
                                i, List.of(), new double[] {Math.round(x), Math.round(y), scale}));
            }
        }
        return expected;
    }

    /**
     * Per-expression clips in the AFEW layout, {@code
     * DIR/<split>/<Emotion>/subjectNN_condition.avi}: subjects in {@code train} go to Train, those
     * in {@code test} to Val.
     */
    public static void afewLayout(
            Path yaleDir, Path dir, List<Integer> train, List<Integer> test, int frames)
            throws java.io.IOException {
        for (String split : List.of("Train", "Val")) {
            for (int s : split.equals("Train") ? train : test) {
                for (Map.Entry<String, String> e : YALE_TO_AFEW.entrySet()) {
                    Path folder = Files.createDirectories(dir.resolve(split).resolve(e.getValue()));
                    BufferedImage face = yale(yaleDir, s, e.getKey());
                    try (VideoWriter w =
                            new VideoWriter(
                                    folder.resolve(
                                            String.format("subject%02d_%s.avi", s, e.getKey())),
                                    480,
                                    360,
                                    FPS,
                                    QUALITY,
                                    false)) {
                        for (int i = 0; i < frames; i++) {
                            BufferedImage canvas = canvas(480, 360);
                            place(canvas, face, 40 + drift(i), 40 + drift(i + 2), 1.2);
                            w.write(canvas);
                        }
                    }
                }
            }
        }
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage c = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = c.createGraphics();
        g.setColor(new Color(96, 96, 96));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return c;
    }

    private static Rectangle place(
            BufferedImage canvas, BufferedImage face, int x, int y, double scale) {
        int w = (int) Math.round(face.getWidth() * scale);
        int h = (int) Math.round(face.getHeight() * scale);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(face, x, y, w, h, null);
        g.dispose();
        return new Rectangle(x, y, w, h);
    }

    /** A slow back-and-forth of a few pixels. */
    private static int drift(int frame) {
        return (int) Math.round(6 * Math.sin(frame * 0.35));
    }
}
