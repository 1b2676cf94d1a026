package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.faces.FrBackbone;
import org.frafer.io.SafeTensors;
import org.frafer.model.fusion.Fusion;
import org.frafer.model.fusion.Fusions;
import org.frafer.nn.NamedParameters;
import org.frafer.nn.Normalization;

/**
 * FER backbone ({@link FerBackbone}: EfficientNet-B0, or the face-pretrained FaceRes MobileNet) + a
 * fusion at FER layer q + a frozen FR backbone tapped at layer p.
 *
 * <p>Forward: normalise (config mean/std) -> FER layers 1..q -> fusion (fra: attention from {@code
 * H_FR_p}; cse/sse/scse: on H_FER_q alone) -> FER layers q+1..9 -> global average pool -> [concat:
 * append the FR identity embedding {@link FrBackbone#embedding}] -> dropout -> classifier. {@code
 * concat} uses the FR backbone's full identity descriptor (for EfficientNet: pooled layer 9,
 * 1280-d) rather than pooled H_FR_p, so the classifier sees FER 1280 + FR D features; p is unused
 * there.
 *
 * <p>With {@code tap = pre} the fusion acts inside layer q, on the output of its last convolution
 * before the norm (q = 1: conv_stem's signed output, then bn1+SiLU); {@code featureBefore/After}
 * are then those pre-norm maps.
 *
 * <p>Parameter names: FER params keep timm's names ({@code conv_stem.weight}, ..., {@code
 * classifier.bias}); fusion params are {@code fusion.<local>} (e.g. {@code fusion.conv.weight}).
 * The FR backbone is referenced, not a child block, so its parameters are never trainable or saved
 * in {@code model.safetensors}.
 */
public final class FraFerNetwork implements EmotionNetwork, NamedParameters {
    private final ModelConfig config;
    private final NDManager manager;
    private final FerBackbone fer;
    private final Fusion fusion;
    private final FrBackbone fr;
    private final Path frWeights;
    private final NetBlock block;
    private final Map<String, Parameter> named = new LinkedHashMap<>();

    /**
     * BN-folded snapshot used by {@link #predict} after {@link #foldForInference}; null otherwise.
     */
    private volatile FoldedEfficientNet folded;

    /**
     * @param fr the frozen FR backbone (owned and closed by this network), or null when the fusion
     *     needs none
     * @param frWeights the file the FR weights came from (copied next to a saved model), or null
     */
    public FraFerNetwork(ModelConfig config, FrBackbone fr, Path frWeights) {
        config.validate();
        this.config = config;
        this.frWeights = frWeights;
        FerBackbones.check(config.arch);
        Fusions.Spec spec = Fusions.spec(config.fusion);
        if (spec.needsFr()) {
            if (fr == null) {
                throw new IllegalArgumentException(
                        "fusion '" + config.fusion + "' needs an FR backbone");
            }
            if (config.p < 1 || config.p > fr.numLayers()) {
                throw new IllegalArgumentException(
                        "p = "
                                + config.p
                                + " is outside FR backbone "
                                + fr.id()
                                + "'s layers 1.."
                                + fr.numLayers());
            }
        }
        this.fr = spec.needsFr() ? fr : null;
        if (!spec.needsFr() && fr != null) {
            fr.close();
        }
        this.manager = NDManager.newBaseManager();
        try {
            int extra = this.fr == null ? 0 : spec.extraEmbeddingFeatures(this.fr);
            this.fer =
                    FerBackbones.create(
                            config.arch, config.numClasses(), extra, config.dropRate, manager);
            fer.checkFerLayer(config.q);
            if (preTap() && fer.describePreTap(config.q) == null) {
                throw new IllegalArgumentException(
                        "tap 'pre' is not available for arch " + config.arch + " (use tap post)");
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        int frChannels = this.fr == null ? 0 : (int) this.fr.featureShape(config.p).get(0);
        this.fusion =
                spec.create((int) fer.mapShape(config.q, config.inputSize).get(0), frChannels);
        this.block = new NetBlock();
        block.initialize(
                manager, DataType.FLOAT32, new Shape(1, 3, config.inputSize, config.inputSize));
        named.putAll(fer.namedParameters());
        if (fusion != null) {
            fusion.namedParameters().forEach((k, v) -> named.put("fusion." + k, v));
        }
    }

    /** The DJL block: children "fer" and "fusion"; forward = {@link #forwardDetailed}'s logits. */
    private final class NetBlock extends AbstractBlock implements NamedParameters {
        NetBlock() {
            addChildBlock("fer", fer);
            if (fusion != null) {
                addChildBlock("fusion", fusion);
            }
        }

        @Override
        public Map<String, Parameter> namedParameters() {
            return FraFerNetwork.this.namedParameters();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(forwardDetailed(ps, inputs.get(0), training).logits());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), config.numClasses())};
        }

        @Override
        protected void prepare(Shape[] inputShapes) {}

        @Override
        public void initialize(NDManager m, DataType dataType, Shape... inputShapes) {
            fer.initialize(m, dataType, inputShapes);
            if (fusion != null) {
                fusion.initialize(m, dataType, inputShapes);
            }
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Block block() {
        return block;
    }

    public FerBackbone fer() {
        return fer;
    }

    /** The fusion block, or null for none. */
    public Fusion fusion() {
        return fusion;
    }

    /** The frozen FR branch, or null when the fusion needs none. */
    public FrBackbone fr() {
        return fr;
    }

    public Path frWeights() {
        return frWeights;
    }

    /** FER + fusion parameters by checkpoint name (BN running stats included; FR excluded). */
    @Override
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(named);
    }

    @Override
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : named.values()) {
            if (p.requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public List<Parameter> headParameters() {
        return List.of(named.get("classifier.weight"), named.get("classifier.bias"));
    }

    @Override
    public Outputs forwardDetailed(ParameterStore ps, NDArray images, boolean training) {
        if (training) {
            unfold(); // weights are about to change: the folded snapshot would go stale
        }
        return forward(ps, images, training, new ParameterLayers(ps, training, false));
    }

    /**
     * From now on {@link #predict} runs a snapshot of the FER network with BatchNorm folded into
     * the convolutions (same outputs up to float rounding, faster). Call it on a network whose
     * weights are final (e.g. loaded for inference); a training-mode forward or {@link #unfold}
     * drops the snapshot. Not to be called while another thread predicts.
     */
    public synchronized FraFerNetwork foldForInference() {
        fer.snapshotForInference();
        if (!(fer instanceof EfficientNet efficientNet)) {
            return this;
        }
        FoldedEfficientNet old = folded;
        folded = new FoldedEfficientNet(efficientNet, preTap() ? config.q : 0);
        if (old != null) {
            old.close();
        }
        return this;
    }

    /** Drops the folded snapshot: {@link #predict} uses the (unfolded) parameters again. */
    public synchronized void unfold() {
        fer.dropInferenceSnapshot();
        FoldedEfficientNet old = folded;
        folded = null;
        if (old != null) {
            old.close();
        }
    }

    /** Whether predict() runs the BatchNorm-folded snapshot. */
    public boolean isFolded() {
        return folded != null;
    }

    /**
     * Logits only (N, K), computed in chunks of at most {@code chunk} images (0 or less: all at
     * once): the same values as {@code predict(images).logits()}, but the feature maps of a chunk
     * stay in the CPU cache between layers, which on small CPUs is faster than one big batch. The
     * result belongs to images' manager.
     */
    public NDArray predictLogits(NDArray images, int chunk) {
        long n = images.getShape().get(0);
        if (chunk <= 0 || n <= chunk) {
            return predict(images).logits();
        }
        NDManager parent = images.getManager();
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        for (long start = 0; start < n; start += chunk) {
            try (NDManager m = parent.newSubManager()) {
                NDArray part =
                        images.get(
                                new ai.djl.ndarray.index.NDIndex(
                                        "{}:{}", start, Math.min(n, start + chunk)));
                part.attach(m);
                NDArray logits = predict(part).logits();
                logits.attach(parent);
                parts.add(logits);
            }
        }
        return ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    /**
     * Inference (eval mode, no gradient needed) with the network's parameters; arrays belong to
     * images' manager. Frees each layer's intermediates as it goes, so use it for inference and
     * {@link #forwardDetailed} inside a GradientCollector.
     */
    @Override
    public Outputs predict(NDArray images) {
        ParameterStore ps = new ParameterStore(images.getManager(), false);
        FoldedEfficientNet f = folded;
        return forward(
                ps,
                images,
                false,
                f != null ? new FoldedLayers(f) : new ParameterLayers(ps, false, true));
    }

    /**
     * The one forward pass: FER layers 1..q, the fusion, layers q+1..last, pool, the fusion's
     * embedding step, classifier. {@code layers} says how the FER net runs (trainable, lean
     * inference, or the BN-folded copy).
     */
    private Outputs forward(ParameterStore ps, NDArray images, boolean training, FerLayers layers) {
        checkInput(images);
        int last = fer.numLayers();
        NDArray before;
        NDArray after;
        NDArray attention = null;
        NDArray top;
        if (preTap()) {
            // tap = pre: the fusion runs inside layer q, on its last conv's output before the norm
            NDArray x = layers.preprocess(images);
            NDArray below = config.q > 1 ? layers.run(x, 1, config.q - 1) : x;
            NDArray hFr = fusion.needsFrFeatures() ? fr.features(images, config.p) : null;
            Fusion.Result[] result = new Fusion.Result[1];
            NDArray[] preNorm = new NDArray[1];
            NDArray layerQ =
                    layers.runPreTapped(
                            below,
                            config.q,
                            h -> {
                                preNorm[0] = h;
                                result[0] = fusion.apply(ps, h, hFr, training);
                                return result[0].output();
                            });
            before = preNorm[0];
            after = result[0].output();
            attention = result[0].attention();
            top = config.q < last ? layers.run(layerQ, config.q + 1, last) : layerQ;
        } else {
            before = layers.run(layers.preprocess(images), 1, config.q);
            after = before;
            if (fusion != null) {
                NDArray hFr = fusion.needsFrFeatures() ? fr.features(images, config.p) : null;
                Fusion.Result r = fusion.apply(ps, before, hFr, training);
                after = r.output();
                attention = r.attention();
            }
            top = config.q < last ? layers.run(after, config.q + 1, last) : after;
        }
        NDArray embedding = fer.pool(top);
        if (fusion != null) {
            embedding = fusion.embed(embedding, fr, images);
        }
        NDArray logits = layers.classify(embedding);
        return new Outputs(logits, embedding, attention, before, after);
    }

    private boolean preTap() {
        return "pre".equals(config.tap);
    }

    /** How one forward pass runs the FER layers. */
    private interface FerLayers {
        NDArray preprocess(NDArray images);

        NDArray run(NDArray x, int from, int to);

        /**
         * Layer {@code layer} alone with preNorm at its pre-activation tap; what preNorm keeps must
         * outlive it (no lean freeing).
         */
        NDArray runPreTapped(
                NDArray x, int layer, java.util.function.UnaryOperator<NDArray> preNorm);

        NDArray classify(NDArray embedding);
    }

    /**
     * The FER net's own parameters; {@code lean}: inference that frees each layer's intermediates
     * as it goes.
     */
    private final class ParameterLayers implements FerLayers {
        private final ParameterStore ps;
        private final boolean training;
        private final boolean lean;

        ParameterLayers(ParameterStore ps, boolean training, boolean lean) {
            this.ps = ps;
            this.training = training;
            this.lean = lean;
        }

        @Override
        public NDArray preprocess(NDArray images) {
            return fer.preprocess(images, config);
        }

        @Override
        public NDArray run(NDArray x, int from, int to) {
            return lean
                    ? fer.forwardLayersLean(ps, x, from, to)
                    : fer.forwardLayers(ps, x, training, from, to);
        }

        @Override
        public NDArray runPreTapped(
                NDArray x, int layer, java.util.function.UnaryOperator<NDArray> preNorm) {
            return fer.forwardLayerPreTapped(ps, x, training, layer, preNorm);
        }

        @Override
        public NDArray classify(NDArray embedding) {
            return fer.classify(ps, embedding, training);
        }
    }

    /** The BatchNorm-folded inference copy of an EfficientNet (see {@link #foldForInference}). */
    private final class FoldedLayers implements FerLayers {
        private final FoldedEfficientNet folded;

        FoldedLayers(FoldedEfficientNet folded) {
            this.folded = folded;
        }

        @Override
        public NDArray preprocess(NDArray images) {
            return Normalization.normalize(images, config.mean, config.std);
        }

        @Override
        public NDArray run(NDArray x, int from, int to) {
            return folded.forwardLayers(x, from, to);
        }

        @Override
        public NDArray runPreTapped(
                NDArray x, int layer, java.util.function.UnaryOperator<NDArray> preNorm) {
            return folded.forwardLayerPreTapped(x, layer, preNorm);
        }

        @Override
        public NDArray classify(NDArray embedding) {
            return folded.classify(embedding);
        }
    }

    private static void checkInput(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException(
                    "Network input must be NCHW RGB (N, 3, H, W) float32 in [0, 1], got " + s);
        }
    }

    @Override
    public void save(Path dir) {
        save(dir, SafeTensors.DType.F32);
    }

    /** Saves with the given weight precision (F16 halves the file; values are rounded). */
    public void save(Path dir, SafeTensors.DType dtype) {
        ModelFiles.save(this, dir, dtype);
    }

    @Override
    public void close() {
        unfold();
        manager.close();
        if (fr != null) {
            fr.close();
        }
    }

    /**
     * The FR weights file of a config (relative paths against modelDir, else the working
     * directory), or null; must exist.
     */
    static Path resolveFrWeights(ModelConfig c, Path modelDir) {
        if (c.frWeights == null || c.frWeights.isBlank()) {
            return null;
        }
        Path p = Path.of(c.frWeights);
        if (!p.isAbsolute() && modelDir != null) {
            p = modelDir.resolve(p);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(
                    "FR weights file not found: "
                            + p
                            + " (config frWeights = "
                            + c.frWeights
                            + ")");
        }
        return p;
    }
}
