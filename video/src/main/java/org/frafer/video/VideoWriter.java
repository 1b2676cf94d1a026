package org.frafer.video;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Writes frames to a video file through FFmpeg: H.264 when the FFmpeg build has an H.264 encoder
 * (the bytedeco LGPL build ships OpenH264), else MPEG-4 part 2 (always built in), the container
 * from the file name (.mp4, .mkv, .avi, ...). Frames are written as they come (nothing is held).
 */
public final class VideoWriter implements AutoCloseable {
    private final Path file;
    private final FFmpegFrameRecorder recorder;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private final String codec;

    static {
        Ffmpeg.init();
    }

    /**
     * @param quality 1 (best) .. 31: MPEG-4's quantiser scale; H.264 gets a bit rate of similar
     *     quality
     * @param preferH264 false forces MPEG-4 part 2
     */
    public VideoWriter(
            Path file, int width, int height, double fps, int quality, boolean preferH264) {
        this.file = file;
        // Encoders need even sizes for 4:2:0 chroma.
        recorder =
                new FFmpegFrameRecorder(
                        file.toFile(), width + (width & 1), height + (height & 1), 0);
        recorder.setFrameRate(fps);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        boolean h264 = preferH264 && hasH264();
        if (h264) {
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            // OpenH264 is rate controlled: bits per pixel per frame from the quality (q 2 ~ 0.4
            // bpp).
            recorder.setVideoBitrate(
                    (int)
                            Math.min(
                                    50_000_000,
                                    width * (long) height * fps * 0.8 / Math.max(1, quality)));
        } else {
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setVideoQuality(quality);
        }
        recorder.setGopSize((int) Math.max(1, Math.round(fps * 2)));
        try {
            recorder.start();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            release();
            throw new VideoReadException(
                    file + ": cannot write a video here (" + e.getMessage() + ")", e);
        }
        this.codec = h264 ? "H.264" : "MPEG-4 part 2";
    }

    /** Whether this FFmpeg build can encode H.264. */
    public static boolean hasH264() {
        return avcodec.avcodec_find_encoder(avcodec.AV_CODEC_ID_H264) != null;
    }

    /** The codec written: "H.264" or "MPEG-4 part 2". */
    public String codec() {
        return codec;
    }

    /**
     * Appends a frame (resized by the encoder's scaler when its size differs); {@code seconds} sets
     * its time.
     */
    public void write(BufferedImage image, double seconds) {
        try {
            long ts = Math.round(seconds * 1e6);
            if (ts > recorder.getTimestamp()) {
                recorder.setTimestamp(ts);
            }
            recorder.record(converter.convert(bgr(image)));
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new VideoReadException(
                    file + ": writing a frame failed (" + e.getMessage() + ")", e);
        }
    }

    /** Appends a frame at the next slot of the frame rate. */
    public void write(BufferedImage image) {
        try {
            recorder.record(converter.convert(bgr(image)));
        } catch (FrameRecorder.Exception | RuntimeException e) {
            throw new VideoReadException(
                    file + ": writing a frame failed (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The converter hands packed-int images (TYPE_INT_RGB, ARGB...) to FFmpeg with the wrong
     * channel order (a grey picture came out cyan); 3-byte BGR is passed as is, so everything else
     * is copied to it.
     */
    private static BufferedImage bgr(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return image;
        }
        BufferedImage out =
                new BufferedImage(
                        image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    private void release() {
        try {
            recorder.release();
        } catch (Exception ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        try {
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new VideoReadException(
                    file + ": finishing the video failed (" + e.getMessage() + ")", e);
        } finally {
            release();
            converter.close();
        }
    }
}
