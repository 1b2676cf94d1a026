package org.frafer.video.cli;

import java.nio.file.Path;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.video.FaceTracker;
import org.frafer.video.VideoAnalyzer;
import org.frafer.video.VideoReader;
import picocli.CommandLine.Option;

/** Options shared by the video commands: the model, face finding, sampling and tracking. */
public final class VideoOptions {
    /**
     * Sampled frames per second by default: about what this 2-core machine analyses in real time,
     * unloaded (docs/performance.md).
     */
    public static final String DEFAULT_FPS = "2";

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Emotion model folder (config.json + model.safetensors). Default: FRAFER_MODEL or models/default/.")
    Path model;

    @Option(
            names = "--detector",
            paramLabel = "VARIANT",
            defaultValue = "back",
            description =
                    "BlazeFace variant: back (small/distant faces) or front (close-ups). Default: ${DEFAULT-VALUE}.")
    String detector;

    @Option(
            names = "--min-face-score",
            paramLabel = "P",
            defaultValue = "0.5",
            description = "Ignore detections scoring lower. Default: ${DEFAULT-VALUE}.")
    float minFaceScore;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description =
                    "Faces per network pass (faces of several frames go together). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--fps",
            paramLabel = "N",
            defaultValue = DEFAULT_FPS,
            description =
                    "Frames analysed per second of video, by timestamp; 0 = every frame. Default: ${DEFAULT-VALUE}, about what the 2-core "
                            + "development machine keeps up with in real time at 640x480-720p with one or two faces when it is not loaded "
                            + "(1.6-3.8 frames/s measured; see docs/performance.md). Use 0 for the clip classifier on short clips.")
    double fps;

    @Option(
            names = "--start",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Skip the video before this time.")
    double start;

    @Option(
            names = "--end",
            paramLabel = "SECONDS",
            description = "Stop at this time. Default: the end.")
    Double end;

    @Option(
            names = "--max-pixels",
            paramLabel = "N",
            defaultValue = "" + VideoReader.Options.DEFAULT_MAX_PIXELS,
            description =
                    "Refuse videos with larger frames (width x height). Default: ${DEFAULT-VALUE} (8K).")
    long maxPixels;

    @Option(
            names = "--fr",
            paramLabel = "ID",
            defaultValue = "hse-faceres",
            description =
                    "Face-recognition network whose descriptors re-find people after cuts and occlusions: hse-faceres, faceres-deep, "
                            + "mobilefacenet, or none (track by box overlap only; a cut then starts new tracks). Default: ${DEFAULT-VALUE}.")
    String fr;

    @Option(
            names = "--smooth",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description =
                    "Temporal filter of each track's probabilities: exponential moving average with this time constant "
                            + "(0 = off). Changes the reported label, not the per-frame probabilities. Default: ${DEFAULT-VALUE}.")
    double smooth;

    EmotionRecognizer recognizer() {
        return EmotionRecognizer.builder()
                .model(model)
                .detectorVariant(detector)
                .minFaceScore(minFaceScore)
                .batchSize(batchSize)
                .build();
    }

    /** The FR backbone, or null for --fr none. */
    FrBackbone frBackbone() {
        if ("none".equals(fr)) {
            return null;
        }
        if (!FaceModels.FR_IDS.contains(fr)) {
            throw new IllegalArgumentException(
                    "unknown --fr '" + fr + "', expected one of " + FaceModels.FR_IDS + " or none");
        }
        return FaceModels.fr(fr);
    }

    VideoReader.Options readOptions() {
        return new VideoReader.Options(
                fps, start, end == null ? Double.POSITIVE_INFINITY : end, maxPixels);
    }

    VideoAnalyzer.Options analyzerOptions(boolean embeddings) {
        return new VideoAnalyzer.Options(
                readOptions(),
                FaceTracker.Options.defaults(),
                smooth,
                embeddings,
                VideoAnalyzer.Options.DEFAULT_MAX_HELD_PIXELS);
    }

    String modelName() {
        return model == null ? "default" : model.toString();
    }
}
