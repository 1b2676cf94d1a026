package org.frafer.video;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceDescriptors;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.FaceExplanation;

/**
 * Faces, tracks and emotions through a video, streamed: frames are decoded one at a time ({@link
 * VideoReader}), faces detected per frame, and the faces of several frames classified in one
 * network batch (and their FR descriptors in one batch), then tracked frame by frame in order
 * ({@link FaceTracker}) and handed to a listener. At most a few frames are held at once (see {@link
 * Options#maxHeldPixels}), so a long video needs no more memory than a short one, apart from the
 * per-track timelines (one row of probabilities per sampled frame of a track).
 *
 * <p>The per-frame probabilities are exactly what {@link EmotionRecognizer#predict(BufferedImage)}
 * gives for the same decoded frame; the temporal filter, when on, only changes the reported label.
 */
public final class VideoAnalyzer {

    /** Receives each analysed frame, in order; the image is valid during the call only. */
    @FunctionalInterface
    public interface FrameListener {
        void onFrame(FrameResult result, BufferedImage image);
    }

    /**
     * @param read sampling and trimming
     * @param tracker track matching
     * @param smoothingSeconds time constant of the probability filter (0 = off)
     * @param embeddings also compute FER embeddings (needed for clip descriptors)
     * @param maxHeldPixels frames waiting for a full network batch are flushed early beyond this
     *     many pixels
     */
    public record Options(
            VideoReader.Options read,
            FaceTracker.Options tracker,
            double smoothingSeconds,
            boolean embeddings,
            long maxHeldPixels) {
        public static final long DEFAULT_MAX_HELD_PIXELS = 16L * 1920 * 1080;

        public static Options defaults(VideoReader.Options read) {
            return new Options(
                    read, FaceTracker.Options.defaults(), 0, false, DEFAULT_MAX_HELD_PIXELS);
        }

        public Options withEmbeddings(boolean on) {
            return new Options(read, tracker, smoothingSeconds, on, maxHeldPixels);
        }

        public Options withSmoothing(double seconds) {
            return new Options(read, tracker, seconds, embeddings, maxHeldPixels);
        }
    }

    private final EmotionRecognizer recognizer;
    private final FrBackbone fr;
    private final Options options;
    private int maxHeldFrames;

    /**
     * @param recognizer detection and emotions (not closed here)
     * @param fr identity descriptors for re-finding people after cuts and occlusions, or null to
     *     track by box overlap only (not closed here)
     */
    public VideoAnalyzer(EmotionRecognizer recognizer, FrBackbone fr, Options options) {
        this.recognizer = recognizer;
        this.fr = fr;
        this.options = options;
    }

    /** Most frames held at once during the last {@link #analyze} (memory check). */
    int maxHeldFrames() {
        return maxHeldFrames;
    }

    private static final class Pending {
        final VideoFrame frame;
        final List<FaceCrop> crops;
        FaceEmotion[] emotions;
        float[][] embeddings;
        float[][] descriptors;

        Pending(VideoFrame frame, List<FaceCrop> crops) {
            this.frame = frame;
            this.crops = crops;
        }
    }

    private final class Run {
        final FaceTracker tracker = new FaceTracker(options.tracker());
        final EmotionSmoother smoother =
                new EmotionSmoother(
                        options.smoothingSeconds(), options.tracker().occlusionSeconds());
        final Map<Integer, TrackSummary.Builder> tracks = new TreeMap<>();
        final FrameListener listener;
        final double period;
        int sampled;
        int faces;
        double lastPeriodTime = Double.NaN;

        Run(FrameListener listener, double period) {
            this.listener = listener;
            this.period = period;
        }

        void flush(Deque<Pending> held) {
            List<FaceCrop> crops = new ArrayList<>();
            for (Pending p : held) {
                crops.addAll(p.crops);
            }
            FaceEmotion[] emotions = new FaceEmotion[crops.size()];
            float[][] embeddings = new float[crops.size()][];
            if (!crops.isEmpty()) {
                if (options.embeddings()) {
                    List<FaceExplanation> e = recognizer.explain(crops);
                    for (int i = 0; i < emotions.length; i++) {
                        emotions[i] = e.get(i).emotion();
                        embeddings[i] = e.get(i).embedding().data();
                    }
                } else {
                    List<FaceEmotion> e = recognizer.classify(crops);
                    for (int i = 0; i < emotions.length; i++) {
                        emotions[i] = e.get(i);
                    }
                }
            }
            float[][] descriptors = null;
            if (fr != null && !crops.isEmpty()) {
                List<BufferedImage> images = new ArrayList<>(crops.size());
                for (FaceCrop c : crops) {
                    images.add(c.image());
                }
                descriptors = FaceDescriptors.of(fr, images, recognizer.options().batchSize());
            }
            int k = 0;
            for (Pending p : held) {
                int n = p.crops.size();
                List<DetectedFace> boxes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    boxes.add(emotions[k + i].face());
                }
                float[][] desc =
                        descriptors == null
                                ? null
                                : java.util.Arrays.copyOfRange(descriptors, k, k + n);
                double t = p.frame.timeSeconds();
                int[] ids = tracker.assign(t, boxes, desc);
                List<TrackedFace> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    FaceEmotion e = emotions[k + i];
                    float[] smoothed = smoother.update(ids[i], t, e.probabilities());
                    out.add(new TrackedFace(ids[i], e, smoothed, embeddings[k + i]));
                }
                k += n;
                emit(
                        new FrameResult(
                                p.frame.index(),
                                t,
                                p.frame.image().getWidth(),
                                p.frame.image().getHeight(),
                                List.copyOf(out)),
                        p.frame.image());
            }
            held.clear();
        }

        void emit(FrameResult r, BufferedImage image) {
            sampled++;
            // A frame stands for the time until the next sample: the sampling period, or the
            // frame's own
            // duration when every frame is kept (variable frame rates included).
            double dt =
                    period > 0
                            ? period
                            : (Double.isNaN(lastPeriodTime) ? 0 : r.timeSeconds() - lastPeriodTime);
            lastPeriodTime = r.timeSeconds();
            for (TrackedFace f : r.faces()) {
                faces++;
                tracks.computeIfAbsent(
                                f.track(),
                                id ->
                                        new TrackSummary.Builder(
                                                id, recognizer.classes(), options.embeddings()))
                        .add(r.timeSeconds(), dt, f);
            }
            smoother.forgetBefore(r.timeSeconds() - options.tracker().memorySeconds());
            if (listener != null) {
                listener.onFrame(r, image);
            }
        }
    }

    /**
     * Analyses a video; {@link VideoReadException} (naming the file) when it cannot be opened at
     * all.
     */
    public VideoReport analyze(Path video, FrameListener listener) {
        long t0 = System.nanoTime();
        maxHeldFrames = 0;
        try (VideoReader reader = VideoReader.open(video, options.read())) {
            double fps = options.read().fps() > 0 ? options.read().fps() : 0;
            double period =
                    fps > 0
                            ? 1 / fps
                            : (reader.info().frameRate() > 0 ? 1 / reader.info().frameRate() : 0);
            Run run = new Run(listener, options.read().fps() > 0 ? period : 0);
            Deque<Pending> held = new ArrayDeque<>();
            int queuedFaces = 0;
            long heldPixels = 0;
            VideoFrame f;
            while ((f = reader.next()) != null) {
                List<FaceCrop> crops = recognizer.faces(f.image());
                held.add(new Pending(f, crops));
                maxHeldFrames = Math.max(maxHeldFrames, held.size());
                queuedFaces += crops.size();
                heldPixels += (long) f.image().getWidth() * f.image().getHeight();
                if (queuedFaces >= recognizer.options().batchSize()
                        || heldPixels >= options.maxHeldPixels()) {
                    run.flush(held);
                    queuedFaces = 0;
                    heldPixels = 0;
                }
            }
            run.flush(held);
            return report(video, reader, run, (System.nanoTime() - t0) / 1e9);
        }
    }

    private VideoReport report(Path video, VideoReader reader, Run run, double seconds) {
        List<TrackSummary> summaries = new ArrayList<>();
        Map<Integer, double[]> clip = new LinkedHashMap<>();
        Map<Integer, List<double[]>> timelines = new LinkedHashMap<>();
        int main = -1;
        int mainFrames = 0;
        for (TrackSummary.Builder b : run.tracks.values()) {
            summaries.add(b.build());
            timelines.put(b.track, b.timeline);
            if (b.clipFeatures != null && b.clipFeatures.frames() > 0) {
                clip.put(b.track, b.clipFeatures.descriptor());
            }
            if (b.frames > mainFrames) {
                main = b.track;
                mainFrames = b.frames;
            }
        }
        return new VideoReport(
                video,
                reader.info(),
                reader.decodedFrames(),
                run.sampled,
                run.faces,
                summaries,
                reader.warning(),
                seconds,
                main,
                clip,
                timelines);
    }
}
