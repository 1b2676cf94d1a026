package org.frafer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.frafer.model.ModelConfig;

/**
 * Every setting of a training run. Built from a recipe ({@link #recipe(String)}), then overridden
 * by a JSON config file and by command-line options; the effective config is written to the run
 * folder ({@code config.json}) and is what {@code train --resume} reads back.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class TrainConfig {
    public static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final Set<String> RECIPES =
            Set.of("paper", "hsemotion", "scratch", "accuracy", "distill");
    public static final Set<String> OPTIMIZERS = Set.of("adam", "adamw", "sgd");
    public static final Set<String> SCHEDULES = Set.of("constant", "cosine");
    public static final Set<String> SELECT_METRICS =
            Set.of("accuracy", "balanced_accuracy", "macro_f1");

    /** Recipe the defaults came from (informative once built). */
    public String recipe = "paper";

    // --- data (interpreted by the CLI's dataset glue; the trainer itself only sees batch sources)
    public String data;

    /** ferplus, affectnet or folder. */
    public String format;

    public String trainSplit = "train";

    /**
     * Validation split of the same dataset (e.g. FER+ "valid"); null = none unless valData is set.
     */
    public String valSplit;

    /** A separate validation dataset (same format). */
    public String valData;

    /** Use only this many training / validation samples (seeded random subset), for quick runs. */
    public Integer limit;

    public Integer valLimit;

    /** Random horizontal flips of training images. */
    public boolean flip = true;

    /**
     * Augmentation of training faces: none or standard (data.Augmentation: box jitter, rotation,
     * light, grey, blur, low resolution, erasing).
     */
    public String augment = "none";

    /** Decoding threads of the batch loader (0 = automatic). */
    public int workers = 0;

    // --- model
    public ModelConfig model = new ModelConfig();

    /**
     * Optional FER weights (timm state_dict names, safetensors), e.g. a converted HSEmotion
     * checkpoint.
     */
    public String init;

    // --- distill recipe (train.distill): the frozen teacher, its embedding cache, extra face
    // folders
    /** FR backbone id whose descriptor the B0 learns to reproduce, e.g. hse-faceres. */
    public String teacher;

    /**
     * Teacher embeddings cache file (computed once, reused when it matches); null =
     * RUN_DIR/teacher-ID.safetensors.
     */
    public String teacherCache;

    /** More face images for distillation (folders, searched recursively), e.g. ORL. */
    public List<String> faces;

    // --- optimisation
    public long seed = 42;
    public int batchSize = 8;

    /**
     * adam (L2 weight decay added to the gradient, as torch.optim.Adam), adamw (decoupled) or sgd.
     */
    public String optimizer = "adam";

    public double weightDecay = 0;
    public double beta1 = 0.9;
    public double beta2 = 0.999;
    public double eps = 1e-8;

    /** Per stage: constant, or cosine decay from the stage lr to 0 over the stage's steps. */
    public String schedule = "constant";

    public double labelSmoothing = 0;

    /**
     * Class-weighted cross-entropy, weight_k = N / (K * n_k) from the training set's class counts.
     */
    public boolean classWeights = false;

    /**
     * Exponent applied to those weights: 1 = HSEmotion's inverse frequency, 0.5 = square root
     * (milder: rare classes gain recall without giving up as much accuracy on the frequent ones), 0
     * = unweighted.
     */
    public double classWeightPower = 1.0;

    /**
     * Train on soft labels (FER+ vote distributions) instead of majority labels; false = hard
     * labels as in the paper.
     */
    public boolean softLabels = false;

    /**
     * Logit adjustment (Menon et al. 2021) during training: {@code tau * log(prior_k)} is added to
     * the logits in the loss only, so the plain logits the model outputs estimate class-balanced
     * posteriors. 0 = off.
     */
    public double logitAdjustment = 0;

    /**
     * Linear learning-rate warm-up over this many optimizer steps at the start of each stage (then
     * the schedule).
     */
    public int warmupSteps = 0;

    /** Skip malformed CSV rows and missing image files (counted) instead of stopping. */
    public boolean skipBadRows = false;

    /** Sharpness-aware minimisation around the optimizer. */
    public boolean sam = false;

    public double samRho = 0.05;
    public List<Stage> stages = new ArrayList<>();

    /** Keep the best validation epoch as the output model (else the last epoch). */
    public boolean keepBest = false;

    public String selectMetric = "accuracy";

    // --- run control
    /** Also checkpoint every N optimizer steps (0 = only at epoch ends). */
    public int checkpointEvery = 500;

    /** Step checkpoints kept (older ones are deleted). */
    public int keepCheckpoints = 2;

    /** A metrics.jsonl line every N steps. */
    public int logEvery = 10;

    /** Stop after this many optimizer steps in total (quick runs); null = run all epochs. */
    public Long maxSteps;

    /** A training stage: which parameters train, for how many epochs, at which learning rate. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Stage {
        public String name;

        /** "head" (EmotionNetwork.headParameters) or "all" (trainableParameters). */
        public String params = "all";

        public int epochs;
        public double lr;

        public Stage() {}

        public Stage(String name, String params, int epochs, double lr) {
            this.name = name;
            this.params = params;
            this.epochs = epochs;
            this.lr = lr;
        }
    }

    /** The defaults of a recipe: paper, hsemotion or scratch. */
    public static TrainConfig recipe(String name) {
        TrainConfig c = new TrainConfig();
        c.recipe = name;
        switch (name == null ? "" : name) {
            case "paper" -> {
                // Shahabinejad et al.: Adam, lr 3e-5, batch 8, 6 epochs, plain cross-entropy.
                c.optimizer = "adam";
                c.batchSize = 8;
                c.stages.add(new Stage("main", "all", 6, 3e-5));
            }
            case "hsemotion" -> {
                // HSEmotion (Savchenko): weighted CE + label smoothing, SAM around Adam, head
                // first, then all.
                c.optimizer = "adam";
                c.batchSize = 32;
                c.labelSmoothing = 0.1;
                c.classWeights = true;
                c.sam = true;
                c.samRho = 0.05;
                c.keepBest = true;
                c.stages.add(new Stage("head", "head", 3, 1e-3));
                c.stages.add(new Stage("all", "all", 6, 1e-4));
            }
            case "scratch" -> {
                // No pretrained FER weights: AdamW with cosine decay, larger batches, regularised.
                c.optimizer = "adamw";
                c.weightDecay = 0.05;
                c.schedule = "cosine";
                c.batchSize = 64;
                c.labelSmoothing = 0.1;
                c.stages.add(new Stage("main", "all", 30, 1e-3));
            }
            case "accuracy" -> {
                // For a face-pretrained backbone (FaceRes): the FER+ vote distributions as targets,
                // augmentation that
                // covers what the product sees, logit adjustment for the rare classes, warm-up +
                // cosine decay,
                // the best validation epoch by balanced accuracy (docs/experiments/ferplus.md,
                // session 4).
                c.optimizer = "adamw";
                c.weightDecay = 0.01;
                c.schedule = "cosine";
                c.batchSize = 32;
                c.softLabels = true;
                c.augment = "standard";
                c.logitAdjustment = 1.0;
                c.warmupSteps = 300;
                c.keepBest = true;
                c.selectMetric = "balanced_accuracy";
                c.stages.add(new Stage("main", "all", 10, 5e-4));
            }
            case "distill" -> {
                // A face-pretrained B0: reproduce the frozen teacher's descriptor (cosine), on
                // every face image at hand.
                c.optimizer = "adamw";
                c.weightDecay = 1e-4;
                c.schedule = "cosine";
                c.batchSize = 32;
                c.teacher = "hse-faceres";
                c.model.fusion = "none";
                c.model.inputSize = 112;
                c.stages.add(new Stage("main", "all", 20, 1e-3));
            }
            default ->
                    throw new IllegalArgumentException(
                            "unknown recipe '"
                                    + name
                                    + "' (expected one of paper, hsemotion, scratch, accuracy, distill)");
        }
        return c;
    }

    /**
     * Applies a JSON object (e.g. a --config file's content) over this config; unknown keys are
     * errors.
     */
    public TrainConfig merge(JsonNode overrides, String origin) {
        try {
            return JSON.readerForUpdating(this).readValue(overrides);
        } catch (IOException e) {
            String msg =
                    e instanceof JsonProcessingException jpe
                            ? jpe.getOriginalMessage()
                            : e.getMessage();
            throw new IllegalArgumentException(origin + ": " + msg, e);
        }
    }

    public TrainConfig mergeFile(Path json) {
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("config file " + json + " does not exist");
        }
        JsonNode node;
        try {
            node = JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "config file " + json + " is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("config file " + json + " must hold a JSON object");
        }
        return merge(node, "config file " + json);
    }

    /**
     * Applies one {@code key=value} override; nested keys use dots ({@code model.fusion=none}), the
     * value is read as JSON when it parses (numbers, booleans, arrays) and as a string otherwise.
     */
    public TrainConfig set(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + assignment + "'");
        }
        String[] keys = assignment.substring(0, eq).trim().split("\\.");
        String raw = assignment.substring(eq + 1);
        JsonNode value;
        try {
            value = JSON.readTree(raw);
            if (value == null || value.isMissingNode()) {
                value = TextNode.valueOf(raw);
            }
        } catch (JsonProcessingException e) {
            value = TextNode.valueOf(raw);
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode node = root;
        for (int i = 0; i < keys.length - 1; i++) {
            node = node.putObject(keys[i]);
        }
        node.set(keys[keys.length - 1], value);
        if (keys.length > 1 && "model".equals(keys[0])) {
            // Nested objects would be replaced wholesale by Jackson: merge model keys into a copy
            // of the current model.
            ObjectNode current = JSON.valueToTree(model);
            current.setAll((ObjectNode) root.get("model"));
            root.set("model", current);
        }
        return merge(root, "--set " + assignment);
    }

    /** Total epochs over all stages. */
    public int totalEpochs() {
        return stages.stream().mapToInt(s -> s.epochs).sum();
    }

    /** Throws IllegalArgumentException naming the first bad setting. */
    public TrainConfig validate() {
        if (!OPTIMIZERS.contains(optimizer)) {
            throw new IllegalArgumentException(
                    "optimizer '" + optimizer + "' is not one of " + OPTIMIZERS);
        }
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException(
                    "schedule '" + schedule + "' is not one of " + SCHEDULES);
        }
        if (!SELECT_METRICS.contains(selectMetric)) {
            throw new IllegalArgumentException(
                    "selectMetric '" + selectMetric + "' is not one of " + SELECT_METRICS);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("at least one training stage is needed");
        }
        for (Stage s : stages) {
            if (!"head".equals(s.params) && !"all".equals(s.params)) {
                throw new IllegalArgumentException(
                        "stage '"
                                + s.name
                                + "': params must be head or all, got '"
                                + s.params
                                + "'");
            }
            if (s.epochs < 0) {
                throw new IllegalArgumentException(
                        "stage '" + s.name + "': epochs must be >= 0, got " + s.epochs);
            }
            if (!(s.lr > 0) || Double.isInfinite(s.lr)) {
                throw new IllegalArgumentException(
                        "stage '" + s.name + "': lr must be > 0, got " + s.lr);
            }
        }
        if (totalEpochs() < 1) {
            throw new IllegalArgumentException("epochs must add up to >= 1");
        }
        if (!(classWeightPower >= 0 && classWeightPower <= 2)) {
            throw new IllegalArgumentException(
                    "classWeightPower must be in [0, 2], got " + classWeightPower);
        }
        org.frafer.data.Augmentation.named(augment);
        if (!(logitAdjustment >= 0 && logitAdjustment <= 3)) {
            throw new IllegalArgumentException(
                    "logitAdjustment must be in [0, 3], got " + logitAdjustment);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new IllegalArgumentException(
                    "label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (sam && !(samRho > 0)) {
            throw new IllegalArgumentException("SAM rho must be > 0, got " + samRho);
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0)) {
            throw new IllegalArgumentException("Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
        }
        if (checkpointEvery < 0 || keepCheckpoints < 1 || logEvery < 1) {
            throw new IllegalArgumentException(
                    "checkpointEvery >= 0, keepCheckpoints >= 1 and logEvery >= 1 are required");
        }
        if (maxSteps != null && maxSteps < 1) {
            throw new IllegalArgumentException("max steps must be >= 1, got " + maxSteps);
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (model == null) {
            throw new IllegalArgumentException("model config is missing");
        }
        // model itself is validated where the network is built (Networks.create / the CLI).
        return this;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainConfig read(Path json) {
        try {
            return JSON.readValue(json.toFile(), TrainConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read training config " + json + ": " + e.getMessage(), e);
        }
    }

    public TrainConfig copy() {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(this), TrainConfig.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
