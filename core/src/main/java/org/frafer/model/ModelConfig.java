package org.frafer.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.frafer.data.EmotionClasses;
import org.frafer.model.fusion.Fusions;

/**
 * The JSON half of a model artifact ({@code config.json} beside {@code model.safetensors}).
 * Everything needed to rebuild the network and feed it: backbone variant, classes and their order,
 * fusion and its layers, input size, preprocessing and the id of the frozen FR backbone.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class ModelConfig {
    public static final int FORMAT_VERSION = 1;

    /** Largest accepted input side (the models here use 112-260 px). */
    public static final int MAX_INPUT_SIZE = 1024;

    /**
     * Where the fusion reads and writes layer q's map: after its activation, or before its norm.
     */
    public static final Set<String> TAPS = Set.of("post", "pre");

    /** Artifact format version, bumped on incompatible changes. */
    public int formatVersion = FORMAT_VERSION;

    /**
     * FER backbone ({@link FerBackbones#KNOWN}): {@code tf_efficientnet_b0} (the paper's), {@code
     * efficientnet_b0}, or the face-pretrained {@code hse-faceres} / {@code faceres-deep} MobileNet
     * (14 layers, own x255 input scaling).
     */
    public String arch = "tf_efficientnet_b0";

    /** Output classes in output order. */
    public List<String> classes = new ArrayList<>(EmotionClasses.EIGHT);

    /**
     * A fusion name from {@link Fusions#NAMES} (fra, fra-residual, none, concat, cse, sse, scse).
     */
    public String fusion = "fra";

    /** FR layer whose feature map feeds the attention (1 = stem). */
    public int p = 1;

    /** FER layer the attention is applied to (1 = stem). */
    public int q = 1;

    /**
     * Tap point of the fusion at layer q: {@code post} = the layer's output (after the norm and
     * activation, e.g. stem = conv_stem+bn1+SiLU); {@code pre} = the output of the layer's last
     * convolution before its norm (q = 1: conv_stem's signed output, so bn1+SiLU follow the
     * fusion). Files written before this field load as post.
     */
    public String tap = "post";

    /** Side of the square FER input. */
    public int inputSize = 224;

    /**
     * FER normalisation (applied inside the network to RGB in [0, 1]); EfficientNet archs only
     * (FaceRes scales x255 as its face-ID model).
     */
    public float[] mean = {0.485f, 0.456f, 0.406f};

    public float[] std = {0.229f, 0.224f, 0.225f};

    /** Dropout before the classifier (timm's drop_rate). */
    public float dropRate = 0.2f;

    /** Id of the frozen FR backbone (fra and concat need one), e.g. {@code hse-faceres}. */
    public String frBackbone = "hse-faceres";

    /**
     * Optional FR weights file (safetensors), relative to the model folder or absolute; FR
     * backbones from assets need none.
     */
    public String frWeights;

    /**
     * Softmax temperature: probabilities are softmax(logits / temperature). 1 = as trained (files
     * without the field load as 1); {@code fra-fer calibrate} fits it on a validation split
     * (temperature scaling, Guo et al. 2017). It never changes the predicted class.
     */
    public float temperature = 1f;

    public int numClasses() {
        return classes.size();
    }

    public boolean needsFr() {
        return Fusions.isKnown(fusion) && Fusions.spec(fusion).needsFr();
    }

    /** Throws IllegalArgumentException naming the first bad field. */
    public ModelConfig validate() {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "config: formatVersion "
                            + formatVersion
                            + " is not supported (expected "
                            + FORMAT_VERSION
                            + ")");
        }
        if (arch == null || arch.isBlank()) {
            throw new IllegalArgumentException("config: arch is missing");
        }
        if (classes == null || classes.size() < 2) {
            throw new IllegalArgumentException(
                    "config: classes needs at least 2 names, got " + classes);
        }
        if (!Fusions.isKnown(fusion)) {
            throw new IllegalArgumentException(
                    "config: fusion '" + fusion + "' is not one of " + Fusions.NAMES);
        }
        if (p < 1 || q < 1) {
            throw new IllegalArgumentException(
                    "config: p and q start at 1 (the stem); got p=" + p + ", q=" + q);
        }
        if (tap == null || !TAPS.contains(tap)) {
            throw new IllegalArgumentException("config: tap '" + tap + "' is not one of " + TAPS);
        }
        if ("pre".equals(tap) && ("none".equals(fusion) || "concat".equals(fusion))) {
            throw new IllegalArgumentException(
                    "config: tap 'pre' needs a feature-map fusion at layer q; fusion '"
                            + fusion
                            + "' has none");
        }
        if (inputSize < 32 || inputSize > MAX_INPUT_SIZE) {
            // the upper bound keeps a typo from allocating tens of GB (20000 px needed 23.7 GB)
            throw new IllegalArgumentException(
                    "config: inputSize must be in [32, " + MAX_INPUT_SIZE + "], got " + inputSize);
        }
        Set<String> seen = new java.util.HashSet<>();
        for (String c : classes) {
            if (c == null || c.isBlank()) {
                throw new IllegalArgumentException("config: classes has an empty name: " + classes);
            }
            if (!seen.add(c.trim().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "config: class '"
                                + c
                                + "' appears twice in "
                                + classes
                                + " (each output needs its own name)");
            }
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("config: mean and std need 3 values each");
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "config: temperature must be a positive number, got " + temperature);
        }
        if (needsFr() && (frBackbone == null || frBackbone.isBlank())) {
            throw new IllegalArgumentException("config: fusion '" + fusion + "' needs frBackbone");
        }
        return this;
    }
}
