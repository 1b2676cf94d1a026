package org.frafer.cli;

import java.nio.file.Path;
import java.util.function.Function;
import org.frafer.data.Images;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.model.TestTimeAugmentation;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code predict} and {@code explain}: which model, and how faces are found and
 * cut out.
 */
public final class RecognizerOptions {
    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model folder (config.json + model.safetensors). Default: FRAFER_MODEL or models/default/.")
    Path model;

    @Option(
            names = "--detector",
            paramLabel = "VARIANT",
            defaultValue = "back",
            description =
                    "BlazeFace variant: back (small/distant faces, 256 px) or front (close-ups, 128 px). Default: ${DEFAULT-VALUE}.")
    String detector;

    @Option(
            names = "--min-face-score",
            paramLabel = "P",
            defaultValue = "0.5",
            description = "Ignore detections scoring lower. Default: ${DEFAULT-VALUE}.")
    float minFaceScore;

    @Option(
            names = "--margin",
            paramLabel = "F",
            description =
                    "Grow each face box by this fraction of its size on every side before cropping (the default makes BlazeFace's box"
                            + " the crop FER+ faces were trained on). Default: ${DEFAULT-VALUE}.")
    float margin = EmotionRecognizer.DEFAULT_CROP_MARGIN;

    @Option(
            names = "--align",
            description = "Rotate faces so the eyes are level before classifying.")
    boolean align;

    @Option(
            names = "--max-pixels",
            paramLabel = "N",
            defaultValue = "" + Images.DEFAULT_MAX_PIXELS,
            description =
                    "Refuse images with more pixels (decompression bombs), checked before decoding. Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description =
                    "Faces per network pass (faces of several images are batched together). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--tta",
            paramLabel = "none|flip",
            defaultValue = "none",
            converter = TtaConverter.class,
            description =
                    "Test-time augmentation: flip = mean probabilities of each face and its mirror (twice the network work). Default: ${DEFAULT-VALUE}.")
    TestTimeAugmentation tta;

    static final class TtaConverter
            implements picocli.CommandLine.ITypeConverter<TestTimeAugmentation> {
        @Override
        public TestTimeAugmentation convert(String value) {
            try {
                return TestTimeAugmentation.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(
            names = "--faces-are-cropped",
            description =
                    "Each image is one face already cropped (e.g. FER+ 48x48 crops): no face detection, the whole image is classified.")
    boolean facesAreCropped;

    @Option(
            names = "--verify-faces",
            description =
                    "Keep only faces the detector finds again in a crop around them: drops made-up boxes on tiled or busy images (one extra detection per face).")
    boolean verifyFaces;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "PyTorch threads (0 = FRAFER_THREADS, else all available cores). With several processes on one machine give each cores / processes.")
    int threads;

    /** Tests swap the model and detector for test doubles here; null in normal runs. */
    static Function<RecognizerOptions, EmotionRecognizer.Builder> builderForTests;

    EmotionRecognizer.Builder builder() {
        EmotionRecognizer.Builder b =
                builderForTests != null
                        ? builderForTests.apply(this)
                        : EmotionRecognizer.builder().model(model);
        return b.detectorVariant(detector)
                .minFaceScore(minFaceScore)
                .cropMargin(margin)
                .align(align)
                .maxPixels(maxPixels)
                .batchSize(batchSize)
                .tta(tta)
                .facesAreCropped(facesAreCropped)
                .threads(threads)
                .verifyFaces(verifyFaces);
    }
}
