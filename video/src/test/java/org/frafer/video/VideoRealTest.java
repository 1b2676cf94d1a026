package org.frafer.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceEmotion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracks, per-frame labels and timelines on clips made from real faces (Yale faces, sample photos)
 * with the default model and the HSE FaceRes descriptors. Skipped, with the reason, without
 * FRAFER_DATA or the assets.
 */
@Tag("slow")
@Tag("realdata")
class VideoRealTest {
    static Path yale;
    static EmotionRecognizer recognizer;
    static FrBackbone fr;

    @TempDir Path tmp;

    /** Per test (each is reported skipped with the reason); the models are loaded once. */
    @BeforeEach
    void load() {
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(
                data != null && Files.isDirectory(data.resolve("yalefaces")),
                "skipped: Yale faces absent; set FRAFER_DATA (or -Dfrafer.data) to the shared data root");
        Assumptions.assumeTrue(
                Assets.present("human-models/models/blazeface-back.json")
                        && Assets.present("human-models/models/faceres.json"),
                "skipped: BlazeFace / FaceRes models missing under "
                        + Assets.root()
                        + " (run bin/setup)");
        yale = data.resolve("yalefaces");
        if (recognizer == null) {
            recognizer = EmotionRecognizer.loadDefault();
            fr = FaceModels.fr("hse-faceres");
        }
    }

    @AfterAll
    static void close() throws Exception {
        if (recognizer != null) {
            recognizer.close();
        }
        if (fr != null) {
            fr.close();
        }
    }

    private static List<FrameResult> analyze(
            Path clip, VideoAnalyzer.Options o, FrBackbone backbone, VideoReport[] report) {
        List<FrameResult> frames = new ArrayList<>();
        VideoAnalyzer a = new VideoAnalyzer(recognizer, backbone, o);
        report[0] = a.analyze(clip, (r, img) -> frames.add(r));
        return frames;
    }

    /** The person whose picture contains the centre of a detected box, or null. */
    private static String who(DetectedFace f, List<SyntheticClips.Shown> shown) {
        for (SyntheticClips.Shown s : shown) {
            if (s.region().contains(f.x() + f.width() / 2, f.y() + f.height() / 2)) {
                return s.person();
            }
        }
        return null;
    }

    @Test
    void onePersonChangingExpressionIsOneTrackWithThePhotoLabelsOfEachFrame() throws Exception {
        Path clip = tmp.resolve("expressions.mp4");
        List<SyntheticClips.ExpectedFrame> expected = SyntheticClips.expressions(yale, 1, clip, 10);
        VideoReport[] rep = new VideoReport[1];
        List<FrameResult> frames =
                analyze(
                        clip,
                        VideoAnalyzer.Options.defaults(VideoReader.Options.everyFrame()),
                        fr,
                        rep);
        assertEquals(expected.size(), frames.size());
        assertEquals(1, rep[0].tracks().size(), "one person, one track: " + rep[0].tracks());

        // The same decoded frames as photos: identical boxes and probabilities.
        try (VideoReader r = VideoReader.open(clip, VideoReader.Options.everyFrame())) {
            for (FrameResult got : frames) {
                VideoFrame f = r.next();
                assertEquals(got.frame(), f.index());
                List<FaceEmotion> still = recognizer.predict(f.image());
                assertEquals(1, still.size());
                assertEquals(1, got.faces().size());
                assertEquals(
                        still.get(0).label(), got.faces().get(0).label(), "frame " + f.index());
                assertArrayEquals(
                        still.get(0).probabilities(),
                        got.faces().get(0).emotion().probabilities(),
                        1e-6f,
                        "frame " + f.index());
                assertEquals(
                        still.get(0).face().x(), got.faces().get(0).emotion().face().x(), 1e-3);
            }
        }
        // Each shot is recognised as its expression by most of its frames.
        Map<String, String> expectLabel =
                Map.of("normal", "Neutral", "happy", "Happiness", "surprised", "Surprise");
        for (String expr : expectLabel.keySet()) {
            int right = 0;
            int n = 0;
            for (int i = 0; i < frames.size(); i++) {
                if (expected.get(i).shown().get(0).expression().equals(expr)) {
                    n++;
                    right +=
                            frames.get(i).faces().get(0).label().equals(expectLabel.get(expr))
                                    ? 1
                                    : 0;
                }
            }
            assertTrue(
                    right > n / 2,
                    expr + ": " + right + "/" + n + " frames labelled " + expectLabel.get(expr));
        }
        // Timeline: one row per frame, in time order, and a chart of it.
        List<double[]> timeline = rep[0].timelines().get(1);
        assertEquals(frames.size(), timeline.size());
        Path png = tmp.resolve("t.png");
        TimelineChart.write(png, "track 1", recognizer.classes(), timeline);
        BufferedImage chart = ImageIO.read(png.toFile());
        assertEquals(900, chart.getWidth());
        // Share of time: a third of the clip per expression within a frame or two.
        TrackSummary t = rep[0].tracks().get(0);
        assertEquals(1 / 3.0, t.share().get("Happiness"), 0.1);
        assertEquals(3.0, t.seconds(), 0.11);
    }

    @Test
    void twoPeopleKeepTheirIdsThroughCutsAndSwappedPlaces() {
        Path clip = tmp.resolve("two.mp4");
        List<SyntheticClips.ExpectedFrame> expected =
                SyntheticClips.twoPeople(
                        yale, 1, 2, clip,
                        4); // 4 frames a shot: the cuts, not the length, test the ids
        VideoReport[] rep = new VideoReport[1];
        List<FrameResult> frames =
                analyze(
                        clip,
                        VideoAnalyzer.Options.defaults(VideoReader.Options.everyFrame()),
                        fr,
                        rep);
        assertEquals(expected.size(), frames.size());
        Map<String, Integer> trackOf = new HashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            List<SyntheticClips.Shown> shown = expected.get(i).shown();
            assertEquals(
                    shown.size(), frames.get(i).faces().size(), "every face found in frame " + i);
            for (TrackedFace f : frames.get(i).faces()) {
                String person = who(f.emotion().face(), shown);
                assertNotNull(person, "a detection on a person, frame " + i);
                Integer before = trackOf.putIfAbsent(person, f.track());
                assertEquals(
                        before == null ? f.track() : before,
                        f.track(),
                        person + " changed track at frame " + i);
            }
        }
        assertEquals(2, trackOf.size());
        assertNotEquals(trackOf.get("subject1"), trackOf.get("subject2"), "two people, two ids");
        assertEquals(2, rep[0].tracks().size());

        // Without identity descriptors the cuts start new tracks: the descriptors are what keeps
        // the ids.
        List<FrameResult> boxOnly =
                analyze(
                        clip,
                        VideoAnalyzer.Options.defaults(VideoReader.Options.everyFrame()),
                        null,
                        rep);
        assertTrue(
                rep[0].tracks().size() > 2,
                "box overlap alone: " + rep[0].tracks().size() + " tracks");
        assertEquals(frames.size(), boxOnly.size());
    }

    @Test
    void panAndZoomOverAPhotoFollowsEachFace() {
        BufferedImage photo =
                Images.read(Assets.require("samples/sample1.jpg"), Images.DEFAULT_MAX_PIXELS);
        List<FaceEmotion> inPhoto = recognizer.predict(photo);
        Assumptions.assumeTrue(inPhoto.size() >= 2, "sample1.jpg should have several faces");
        Path clip = tmp.resolve("pan.mp4");
        List<SyntheticClips.ExpectedFrame> expected =
                SyntheticClips.panZoom(photo, clip, 640, 360, 24, 24);
        VideoReport[] rep = new VideoReport[1];
        List<FrameResult> frames =
                analyze(
                        clip,
                        VideoAnalyzer.Options.defaults(VideoReader.Options.everyFrame()),
                        fr,
                        rep);
        assertEquals(24, frames.size());
        Map<Integer, Integer> faceOfTrack = new HashMap<>();
        int matched = 0;
        for (int i = 0; i < frames.size(); i++) {
            double[] w = expected.get(i).window();
            for (TrackedFace f : frames.get(i).faces()) {
                DetectedFace b = f.emotion().face();
                double px = w[0] + (b.x() + b.width() / 2) / w[2];
                double py = w[1] + (b.y() + b.height() / 2) / w[2];
                int nearest = -1;
                for (int k = 0; k < inPhoto.size(); k++) {
                    DetectedFace o = inPhoto.get(k).face();
                    if (new Rectangle(
                                    Math.round(o.x()),
                                    Math.round(o.y()),
                                    Math.round(o.width()),
                                    Math.round(o.height()))
                            .contains(px, py)) {
                        nearest = k;
                    }
                }
                if (nearest < 0) {
                    continue; // a face cut by the frame edge may be found off-centre
                }
                matched++;
                Integer before = faceOfTrack.putIfAbsent(f.track(), nearest);
                assertEquals(
                        before == null ? nearest : before,
                        nearest,
                        "track " + f.track() + " jumped to another face at frame " + i);
            }
        }
        assertTrue(matched >= frames.size(), "faces followed: " + matched);
        assertEquals(
                faceOfTrack.size(),
                new HashSet<>(faceOfTrack.values()).size(),
                "one face per track: " + faceOfTrack);
    }

    @Test
    void memoryStaysBoundedAndTheStreamIsSampled() {
        Path clip = tmp.resolve("expr.mkv");
        SyntheticClips.expressions(yale, 2, clip, 10);
        long onePicture = 640L * 480;
        VideoAnalyzer.Options o =
                new VideoAnalyzer.Options(
                        new VideoReader.Options(
                                5, 0.5, 2.5, VideoReader.Options.DEFAULT_MAX_PIXELS),
                        FaceTracker.Options.defaults(),
                        0.3,
                        true,
                        3 * onePicture);
        VideoAnalyzer a = new VideoAnalyzer(recognizer, fr, o);
        List<FrameResult> frames = new ArrayList<>();
        VideoReport rep = a.analyze(clip, (r, img) -> frames.add(r));
        assertTrue(a.maxHeldFrames() <= 3, "frames held at once: " + a.maxHeldFrames());
        assertEquals(
                List.of(5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25),
                frames.stream().map(FrameResult::frame).toList(),
                "5 frames/s of a 10 frames/s clip between 0.5 and 2.5 s");
        assertFalse(rep.clipDescriptors().isEmpty());
        double[] d = rep.clipDescriptors().get(rep.mainTrack());
        int dim = frames.get(0).faces().get(0).embedding().length + recognizer.classes().size();
        assertEquals(4 * dim, d.length, "mean, std, min, max of embedding + probabilities");
        // Smoothing changed the reported probabilities but not the frame's own.
        TrackedFace last = frames.get(frames.size() - 1).faces().get(0);
        assertFalse(java.util.Arrays.equals(last.smoothed(), last.emotion().probabilities()));
    }
}
