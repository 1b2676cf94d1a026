package org.frafer.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import org.frafer.data.EmotionClasses;
import org.frafer.model.fusion.Fusions;

/**
 * The JSON half of a model artifact ({@code config.json} beside {@code model.safetensors}).
 * Everything needed to rebuild the network and feed it: backbone variant, classes and their
 * order, fusion and its layers, input size, preprocessing and the id of the frozen FR backbone.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class ModelConfig {
    public static final int FORMAT_VERSION = 1;

    /** Artifact format version, bumped on incompatible changes. */
    public int formatVersion = FORMAT_VERSION;
    /**
     * FER backbone ({@link FerBackbones#KNOWN}): {@code tf_efficientnet_b0} (the paper's), {@code efficientnet_b0},
     * or the face-pretrained {@code hse-faceres} / {@code faceres-deep} MobileNet (14 layers, own x255 input scaling).
     */
    public String arch = "tf_efficientnet_b0";
    /** Output classes in output order. */
    public List<String> classes = new ArrayList<>(EmotionClasses.EIGHT);
    /** A fusion name from {@link Fusions#NAMES} (fra, none, concat, cse, sse, scse). */
    public String fusion = "fra";
    /** FR layer whose feature map feeds the attention (1 = stem). */
    public int p = 1;
    /** FER layer the attention is applied to (1 = stem). */
    public int q = 1;
    /** Side of the square FER input. */
    public int inputSize = 224;
    /** FER normalisation (applied inside the network to RGB in [0, 1]); EfficientNet archs only (FaceRes scales x255 as its face-ID model). */
    public float[] mean = {0.485f, 0.456f, 0.406f};
    public float[] std = {0.229f, 0.224f, 0.225f};
    /** Dropout before the classifier (timm's drop_rate). */
    public float dropRate = 0.2f;
    /** Id of the frozen FR backbone (fra and concat need one), e.g. {@code hse-faceres}. */
    public String frBackbone = "hse-faceres";
    /** Optional FR weights file (safetensors), relative to the model folder or absolute; FR backbones from assets need none. */
    public String frWeights;

    public int numClasses() {
        return classes.size();
    }

    public boolean needsFr() {
        return Fusions.isKnown(fusion) && Fusions.spec(fusion).needsFr();
    }

    /** Throws IllegalArgumentException naming the first bad field. */
    public ModelConfig validate() {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("config: formatVersion " + formatVersion + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        if (arch == null || arch.isBlank()) {
            throw new IllegalArgumentException("config: arch is missing");
        }
        if (classes == null || classes.size() < 2) {
            throw new IllegalArgumentException("config: classes needs at least 2 names, got " + classes);
        }
        if (!Fusions.isKnown(fusion)) {
            throw new IllegalArgumentException("config: fusion '" + fusion + "' is not one of " + Fusions.NAMES);
        }
        if (p < 1 || q < 1) {
            throw new IllegalArgumentException("config: p and q start at 1 (the stem); got p=" + p + ", q=" + q);
        }
        if (inputSize < 32) {
            throw new IllegalArgumentException("config: inputSize must be >= 32, got " + inputSize);
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("config: mean and std need 3 values each");
        }
        if (needsFr() && (frBackbone == null || frBackbone.isBlank())) {
            throw new IllegalArgumentException("config: fusion '" + fusion + "' needs frBackbone");
        }
        return this;
    }
}
