package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampling, trimming and every kind of bad input, on small clips written by the test itself (no
 * data needed).
 */
class VideoReaderTest {
    @TempDir Path tmp;

    /** Frame i has a grey level of 8 * i, so the decoded frame tells which one it is. */
    static BufferedImage numbered(int i, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        int v = Math.min(255, 8 * i);
        g.setColor(new Color(v, v, v));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static int numberOf(BufferedImage img) {
        int rgb = img.getRGB(img.getWidth() / 2, img.getHeight() / 2);
        return Math.round(((rgb >> 8) & 0xff) / 8f);
    }

    private Path clip(String name, int frames, double fps) {
        Path p = tmp.resolve(name);
        try (VideoWriter w = new VideoWriter(p, 64, 48, fps, 2, false)) {
            for (int i = 0; i < frames; i++) {
                w.write(numbered(i, 64, 48));
            }
        }
        return p;
    }

    private static List<VideoFrame> readAll(Path p, VideoReader.Options o) {
        List<VideoFrame> out = new ArrayList<>();
        try (VideoReader r = VideoReader.open(p, o)) {
            VideoFrame f;
            while ((f = r.next()) != null) {
                out.add(f);
            }
            assertNull(r.warning(), "no warning on a good file");
        }
        return out;
    }

    @Test
    void samplesByTimestampAndTrims() {
        Path p = clip("ten.mp4", 30, 10);
        List<VideoFrame> all = readAll(p, VideoReader.Options.everyFrame());
        assertEquals(30, all.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(i, all.get(i).index());
            assertEquals(i / 10.0, all.get(i).timeSeconds(), 1e-3);
            assertEquals(i, numberOf(all.get(i).image()), "frame content " + i);
        }
        List<VideoFrame> two =
                readAll(p, new VideoReader.Options(2, 0, Double.POSITIVE_INFINITY, 1L << 30));
        assertEquals(List.of(0, 5, 10, 15, 20, 25), two.stream().map(VideoFrame::index).toList());
        List<VideoFrame> trimmed = readAll(p, new VideoReader.Options(0, 1.0, 2.0, 1L << 30));
        assertEquals(11, trimmed.size(), "frames at 1.0 .. 2.0 s");
        assertEquals(10, trimmed.get(0).index(), "indices count from the start of the file");
        assertEquals(10, numberOf(trimmed.get(0).image()));
        assertEquals(20, numberOf(trimmed.get(10).image()));
    }

    @Test
    void variableFrameRateUsesTheTimestamps() {
        Path p = tmp.resolve("vfr.mkv");
        double[] times = {0, 0.1, 0.2, 0.9, 1.0, 1.05, 1.1, 2.5, 2.6};
        try (VideoWriter w = new VideoWriter(p, 64, 48, 20, 2, false)) {
            for (int i = 0; i < times.length; i++) {
                w.write(numbered(i, 64, 48), times[i]);
            }
        }
        List<VideoFrame> all = readAll(p, VideoReader.Options.everyFrame());
        assertEquals(times.length, all.size());
        for (int i = 0; i < times.length; i++) {
            assertEquals(times[i], all.get(i).timeSeconds(), 0.01, "time of frame " + i);
            assertEquals(i, numberOf(all.get(i).image()));
        }
        // 2 frames/s: the first frame of each half-second slot that has one: [0, 0.5) -> 0 s, [0.5,
        // 1) -> 0.9 s,
        // [1, 1.5) -> 1.0 s, [1.5, 2.5) none, [2.5, 3) -> 2.5 s; the empty slots are not made up
        // for.
        List<VideoFrame> sampled =
                readAll(p, new VideoReader.Options(2, 0, Double.POSITIVE_INFINITY, 1L << 30));
        assertEquals(List.of(0, 3, 4, 7), sampled.stream().map(f -> numberOf(f.image())).toList());
    }

    private String openError(Path p, VideoReader.Options o) {
        VideoReadException e =
                assertThrows(VideoReadException.class, () -> VideoReader.open(p, o).close());
        assertTrue(
                e.getMessage().startsWith(p.toString() + ": "),
                "message names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void refusesWhatIsNotAVideoWithAOneLineMessage() throws IOException {
        VideoReader.Options o = VideoReader.Options.everyFrame();
        assertTrue(openError(tmp.resolve("missing.mp4"), o).contains("no such file"));
        Path empty = Files.createFile(tmp.resolve("empty.mp4"));
        assertTrue(openError(empty, o).contains("empty (0 bytes)"));
        Path noise = tmp.resolve("noise.avi");
        byte[] bytes = new byte[20000];
        new Random(1).nextBytes(bytes);
        Files.write(noise, bytes);
        assertTrue(openError(noise, o).contains("not a readable video"));
        Path png = tmp.resolve("photo.mp4"); // an image with a video name
        ImageIO.write(numbered(3, 64, 48), "png", png.toFile());
        assertTrue(openError(png, o).contains("still image"), openError(png, o));
        Path wav = tmp.resolve("sound.mkv");
        Files.write(wav, wav(8000, 16000));
        assertTrue(openError(wav, o).contains("no video stream"), openError(wav, o));
        Path big = clip("big.mp4", 3, 10);
        String huge = openError(big, new VideoReader.Options(0, 0, Double.POSITIVE_INFINITY, 1000));
        assertTrue(huge.contains("64 x 48") && huge.contains("--max-pixels"), huge);
    }

    @Test
    void aTruncatedStreamKeepsTheFramesBeforeTheCutAndSaysSo() throws IOException {
        Path full = clip("long.mkv", 60, 10);
        byte[] b = Files.readAllBytes(full);
        Path cut = tmp.resolve("cut.mkv");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        List<VideoFrame> frames = new ArrayList<>();
        String warning;
        try (VideoReader r = VideoReader.open(cut, VideoReader.Options.everyFrame())) {
            VideoFrame f;
            while ((f = r.next()) != null) {
                frames.add(f);
            }
            warning = r.warning();
        }
        assertTrue(
                frames.size() > 10 && frames.size() < 60,
                "decoded part kept: " + frames.size() + " frames");
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, numberOf(frames.get(i).image()), "frames before the cut are intact");
        }
        assertNotNull(warning, "the early end is reported");
        assertTrue(warning.startsWith(cut + ": ") && warning.contains("truncated"), warning);

        // An MP4 whose index (moov, written at the end) is cut off cannot be opened at all: a clear
        // message.
        Path mp4 = clip("long.mp4", 60, 10);
        byte[] m = Files.readAllBytes(mp4);
        Path cutMp4 = tmp.resolve("cut.mp4");
        Files.write(cutMp4, java.util.Arrays.copyOf(m, m.length / 2));
        assertTrue(
                openError(cutMp4, VideoReader.Options.everyFrame())
                        .contains("not a readable video"));
    }

    @Test
    void coloursSurviveTheRoundTripWhateverTheImageType() {
        for (int type :
                new int[] {
                    BufferedImage.TYPE_INT_RGB,
                    BufferedImage.TYPE_INT_ARGB,
                    BufferedImage.TYPE_3BYTE_BGR
                }) {
            Path p = tmp.resolve("colour" + type + ".mp4");
            try (VideoWriter w = new VideoWriter(p, 64, 48, 10, 2, true)) {
                for (int i = 0; i < 3; i++) {
                    BufferedImage img = new BufferedImage(64, 48, type);
                    Graphics2D g = img.createGraphics();
                    g.setColor(new Color(200, 40, 40));
                    g.fillRect(0, 0, 32, 48);
                    g.setColor(new Color(96, 96, 96));
                    g.fillRect(32, 0, 32, 48);
                    g.dispose();
                    w.write(img);
                }
            }
            BufferedImage back = readAll(p, VideoReader.Options.everyFrame()).get(1).image();
            Color red = new Color(back.getRGB(12, 24));
            Color grey = new Color(back.getRGB(52, 24));
            assertTrue(
                    red.getRed() > 170 && red.getGreen() < 80 && red.getBlue() < 80,
                    "type " + type + ": red came back as " + red);
            assertTrue(
                    Math.abs(grey.getRed() - 96) < 12
                            && Math.abs(grey.getGreen() - 96) < 12
                            && Math.abs(grey.getBlue() - 96) < 12,
                    "type " + type + ": grey came back as " + grey);
        }
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VideoReader.Options(-1, 0, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new VideoReader.Options(1, 5, 2, 100));
    }

    /** A mono 16-bit PCM WAV of a 440 Hz tone. */
    static byte[] wav(int sampleRate, int samples) {
        ByteBuffer bb = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        bb.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        bb.put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(sampleRate)
                .putInt(2 * sampleRate)
                .putShort((short) 2)
                .putShort((short) 16);
        bb.put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            bb.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / sampleRate)));
        }
        return bb.array();
    }
}
