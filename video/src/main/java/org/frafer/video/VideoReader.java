package org.frafer.video;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Streams the frames of a video file through FFmpeg (JavaCV): one frame at a time, so memory does
 * not grow with the length of the file. Frames are sampled by their timestamps ({@code fps}),
 * optionally between {@code start} and {@code end}; only sampled frames are converted to images.
 *
 * <p>Faults are reported in one line naming the file: {@link #open} throws {@link
 * VideoReadException} for what cannot be a video (missing, empty, an image, audio only, too large a
 * frame); a fault in the middle of the stream ends it and {@link #warning()} says where, the frames
 * before it were delivered.
 */
public final class VideoReader implements AutoCloseable {

    /**
     * Container formats FFmpeg uses for still images; such a file is refused (use {@code predict}).
     */
    private static final Set<String> IMAGE_FORMATS =
            Set.of(
                    "image2",
                    "bmp_pipe",
                    "jpeg_pipe",
                    "png_pipe",
                    "tiff_pipe",
                    "webp_pipe",
                    "pgm_pipe",
                    "ppm_pipe",
                    "pgmyuv_pipe",
                    "pbm_pipe",
                    "qoi_pipe",
                    "j2k_pipe",
                    "jpegxl_pipe",
                    "psd_pipe");

    /**
     * @param fps frames kept per second of video (by timestamp); 0 = every frame
     * @param startSeconds first time kept
     * @param endSeconds last time kept; infinity = to the end
     * @param maxPixels frames larger than this (width x height) are refused before decoding any
     */
    public record Options(double fps, double startSeconds, double endSeconds, long maxPixels) {
        public static final long DEFAULT_MAX_PIXELS = 7680L * 4320L; // 8K UHD

        public Options {
            if (!(fps >= 0) || Double.isInfinite(fps)) {
                throw new IllegalArgumentException(
                        "fps must be >= 0 (0 = every frame), got " + fps);
            }
            if (!(startSeconds >= 0) || Double.isInfinite(startSeconds)) {
                throw new IllegalArgumentException(
                        "start must be a time >= 0 in seconds, got " + startSeconds);
            }
            if (!(endSeconds > startSeconds)) {
                throw new IllegalArgumentException(
                        "end (" + endSeconds + " s) must be after start (" + startSeconds + " s)");
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("max pixels must be positive, got " + maxPixels);
            }
        }

        public static Options everyFrame() {
            return new Options(0, 0, Double.POSITIVE_INFINITY, DEFAULT_MAX_PIXELS);
        }
    }

    /** What the container says about the video stream. */
    public record Info(
            String format,
            String codec,
            int width,
            int height,
            double frameRate,
            double durationSeconds) {}

    static {
        Ffmpeg.init();
    }

    private final Path file;
    private final Options options;
    private final FFmpegFrameGrabber grabber;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private final Info info;
    private int decoded;
    private double nextSample;
    private double lastTime = Double.NaN;
    private String warning;
    private boolean ended;

    private VideoReader(Path file, Options options, FFmpegFrameGrabber grabber, Info info) {
        this.file = file;
        this.options = options;
        this.grabber = grabber;
        this.info = info;
        this.nextSample = options.startSeconds();
    }

    /** Opens a video; throws {@link VideoReadException} naming the file when it cannot be one. */
    public static VideoReader open(Path file, Options options) {
        if (!Files.exists(file)) {
            throw new VideoReadException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new VideoReadException(file + ": is a folder, not a video file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new VideoReadException(file + ": is empty (0 bytes)");
            }
        } catch (java.io.IOException e) {
            throw new VideoReadException(file + ": cannot be read: " + e.getMessage(), e);
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            closeQuietly(g);
            throw new VideoReadException(file + ": not a readable video (" + reason(e) + ")", e);
        }
        try {
            String format = String.valueOf(g.getFormat());
            if (IMAGE_FORMATS.contains(format)) {
                throw new VideoReadException(
                        file
                                + ": is a still image ("
                                + format
                                + "), not a video; use predict for photos");
            }
            if (!g.hasVideo() || g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
                throw new VideoReadException(
                        file + ": has no video stream" + (g.hasAudio() ? " (audio only)" : ""));
            }
            long pixels = (long) g.getImageWidth() * g.getImageHeight();
            if (pixels > options.maxPixels()) {
                throw new VideoReadException(
                        String.format(
                                Locale.ROOT,
                                "%s: frames of %d x %d = %d pixels exceed the limit of %d (--max-pixels)",
                                file,
                                g.getImageWidth(),
                                g.getImageHeight(),
                                pixels,
                                options.maxPixels()));
            }
            double duration = g.getLengthInTime() > 0 ? g.getLengthInTime() / 1e6 : Double.NaN;
            Info info =
                    new Info(
                            format,
                            g.getVideoCodecName(),
                            g.getImageWidth(),
                            g.getImageHeight(),
                            g.getFrameRate(),
                            duration);
            VideoReader r = new VideoReader(file, options, g, info);
            if (options.startSeconds() > 0) {
                r.seek(options.startSeconds());
            }
            return r;
        } catch (RuntimeException e) {
            closeQuietly(g);
            throw e;
        }
    }

    private void seek(double seconds) {
        try {
            // Seeks to the key frame before and decodes up to the time; frames before it are
            // skipped below too.
            grabber.setVideoTimestamp((long) (seconds * 1e6));
            decoded = Math.max(0, grabber.getFrameNumber());
        } catch (FrameGrabber.Exception | RuntimeException e) {
            warning =
                    String.format(
                            Locale.ROOT,
                            "%s: cannot seek to %.3f s (%s); reading from the start",
                            file,
                            seconds,
                            reason(e));
            try {
                grabber.restart();
            } catch (FrameGrabber.Exception e2) {
                throw new VideoReadException(
                        file + ": cannot restart after a failed seek (" + reason(e2) + ")", e2);
            }
        }
    }

    public Path file() {
        return file;
    }

    public Info info() {
        return info;
    }

    /** Video frames decoded so far (kept or not). */
    public int decodedFrames() {
        return decoded;
    }

    /** Why the stream ended before its announced end, or null. */
    public String warning() {
        return warning;
    }

    /**
     * The next sampled frame, or null at the end (of the file, of the trim, or at a fault: see
     * {@link #warning()}).
     */
    public VideoFrame next() {
        while (!ended) {
            Frame f;
            try {
                f = grabber.grabImage();
            } catch (FrameGrabber.Exception | RuntimeException e) {
                ended = true;
                warning =
                        String.format(
                                Locale.ROOT,
                                "%s: decoding stopped after %d frames%s: %s",
                                file,
                                decoded,
                                Double.isNaN(lastTime)
                                        ? ""
                                        : String.format(Locale.ROOT, " (%.3f s)", lastTime),
                                reason(e));
                break;
            }
            if (f == null) {
                ended = true;
                checkEarlyEnd();
                break;
            }
            if (f.image == null) {
                continue;
            }
            int index = decoded++;
            double t = f.timestamp / 1e6;
            if (t > options.endSeconds()) {
                ended = true;
                break;
            }
            lastTime = t;
            if (t + 1e-6 < options.startSeconds() || t + 1e-6 < nextSample) {
                continue;
            }
            if (options.fps() > 0) {
                // Slots of 1/fps from --start: the first frame of each slot is kept. The next slot
                // is found from
                // the grid (not from t), so sampling does not drift on variable frame rates; empty
                // slots (a gap
                // in the stream) are not made up for.
                double period = 1 / options.fps();
                nextSample +=
                        period * Math.max(1, Math.floor((t - nextSample) / period + 1e-9) + 1);
            }
            BufferedImage img =
                    Java2DFrameConverter.cloneBufferedImage(converter.getBufferedImage(f));
            return new VideoFrame(index, t, img);
        }
        return null;
    }

    /**
     * A stream whose frames stop well before the container's announced duration was probably cut.
     */
    private void checkEarlyEnd() {
        double announced = info.durationSeconds();
        if (warning == null
                && !Double.isNaN(announced)
                && !Double.isNaN(lastTime)
                && options.endSeconds() >= announced) {
            double slack = Math.max(1.0, info.frameRate() > 0 ? 3 / info.frameRate() : 1.0);
            if (lastTime + slack < announced) {
                warning =
                        String.format(
                                Locale.ROOT,
                                "%s: the stream ended at %.3f s, before its announced %.3f s (truncated?); %d frames decoded",
                                file,
                                lastTime,
                                announced,
                                decoded);
            }
        } else if (warning == null && Double.isNaN(lastTime)) {
            warning = file + ": no video frame could be decoded";
        }
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank()
                ? e.getClass().getSimpleName()
                : m.replace('\n', ' ').trim();
    }

    private static void closeQuietly(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (Exception ignored) {
            // nothing more to free
        }
    }

    @Override
    public void close() {
        closeQuietly(grabber);
        converter.close();
    }
}
