package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.frafer.nn.Normalization;
import org.frafer.nn.TfSamePadding;

/**
 * EfficientNet-B0 as one DJL block whose parameters carry timm's state_dict names ({@code
 * conv_stem.weight}, {@code blocks.1.0.se.conv_reduce.bias}, {@code bn2.running_var}, ...), so timm
 * checkpoints load by name. Built from timm's block-string table decoded by one builder (timm
 * efficientnet.py / _efficientnet_blocks.py): {@code ds} = depthwise-separable, {@code ir} =
 * inverted residual with expansion; every block has squeeze-excite (conv_reduce/conv_expand, SiLU,
 * sigmoid gate) with channels {@code round(block_in * 0.25)}.
 *
 * <p>Tappable layers: 1 = stem (conv_stem+bn1+SiLU), 2..8 = the ends of stages blocks.0..blocks.6,
 * 9 = conv_head+bn2+SiLU. {@link #forwardLayers} runs any contiguous range, so a network can stop
 * at layer k or resume from it. Input is an already normalised NCHW float32 batch. {@link
 * #forwardLayerPreTapped} exposes a layer's pre-activation map (its last conv's output before the
 * norm) to a fusion (config {@code tap = pre}).
 *
 * <p>Variants: {@code tf_efficientnet_b0} pads like TF "SAME" from the actual input size (odd sizes
 * and stride 2 pad asymmetrically) and uses BN eps 1e-3; {@code efficientnet_b0} pads symmetrically
 * ({@code ((s - 1) + (k - 1)) / 2}) with BN eps 1e-5. Stochastic depth (drop_path) is not
 * implemented.
 */
public final class EfficientNet extends FerBackboneBlock {
    /** timm's B0 architecture: type_repeats_kernel_stride_expansion_channels_se. */
    static final String[] B0_ARCH = {
        "ds_r1_k3_s1_e1_c16_se0.25",
        "ir_r2_k3_s2_e6_c24_se0.25",
        "ir_r2_k5_s2_e6_c40_se0.25",
        "ir_r3_k3_s2_e6_c80_se0.25",
        "ir_r3_k5_s1_e6_c112_se0.25",
        "ir_r4_k5_s2_e6_c192_se0.25",
        "ir_r1_k3_s1_e6_c320_se0.25",
    };

    static final int STEM_CHANNELS = 32;
    static final int HEAD_CHANNELS = 1280;

    /** DJL's momentum is torch's inverted: torch 0.1 (timm's default) == DJL 0.9. */
    private static final float BN_MOMENTUM = 0.9f;

    /** The two timm variants. */
    public enum Variant {
        TF_EFFICIENTNET_B0("tf_efficientnet_b0", true, 1e-3f),
        EFFICIENTNET_B0("efficientnet_b0", false, 1e-5f);

        public final String timmName;
        public final boolean tfSamePadding;
        public final float bnEps;

        Variant(String timmName, boolean tfSamePadding, float bnEps) {
            this.timmName = timmName;
            this.tfSamePadding = tfSamePadding;
            this.bnEps = bnEps;
        }

        public static Variant of(String name) {
            for (Variant v : values()) {
                if (v.timmName.equals(name)) {
                    return v;
                }
            }
            List<String> known = new ArrayList<>();
            for (Variant v : values()) {
                known.add(v.timmName);
            }
            throw new IllegalArgumentException(
                    "Unknown EfficientNet arch '" + name + "'; known: " + known);
        }
    }

    /** One decoded block: a ds or ir unit with its timm prefix. */
    record Unit(
            String prefix,
            String type,
            int in,
            int mid,
            int out,
            int kernel,
            int stride,
            int seChannels,
            boolean skip) {}

    /** Number of tappable layers (stem, seven stages, head). */
    public static final int NUM_LAYERS = 9;

    private final Variant variant;
    private final List<List<Unit>> stages = new ArrayList<>();

    /**
     * @param numClasses classifier outputs, 0 for a headless feature extractor (no classifier
     *     parameters)
     * @param extraFeatures features concatenated to the pooled embedding before the classifier
     *     (concat fusion), usually 0
     */
    public EfficientNet(Variant variant, int numClasses, int extraFeatures, float dropRate) {
        super(numClasses, HEAD_CHANNELS + extraFeatures, dropRate);
        this.variant = variant;
        conv("conv_stem", 3, STEM_CHANNELS, 3, 1);
        bn("bn1", STEM_CHANNELS);
        int in = STEM_CHANNELS;
        for (int s = 0; s < B0_ARCH.length; s++) {
            Map<String, String> spec = decode(B0_ARCH[s]);
            int repeats = Integer.parseInt(spec.get("r"));
            int kernel = Integer.parseInt(spec.get("k"));
            int stride = Integer.parseInt(spec.get("s"));
            int expand = Integer.parseInt(spec.get("e"));
            int out = Integer.parseInt(spec.get("c"));
            double se = Double.parseDouble(spec.get("se"));
            List<Unit> units = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                int st = r == 0 ? stride : 1;
                String p = "blocks." + s + "." + r + ".";
                Unit u =
                        new Unit(
                                p,
                                spec.get("type"),
                                in,
                                in * expand,
                                out,
                                kernel,
                                st,
                                Math.max(1, (int) Math.round(in * se)),
                                st == 1 && in == out);
                if ("ds".equals(u.type)) {
                    conv(p + "conv_dw", in, in, kernel, in);
                    bn(p + "bn1", in);
                    se(p + "se", in, u.seChannels);
                    conv(p + "conv_pw", in, out, 1, 1);
                    bn(p + "bn2", out);
                } else if ("ir".equals(u.type)) {
                    conv(p + "conv_pw", in, u.mid, 1, 1);
                    bn(p + "bn1", u.mid);
                    conv(p + "conv_dw", u.mid, u.mid, kernel, u.mid);
                    bn(p + "bn2", u.mid);
                    se(p + "se", u.mid, u.seChannels);
                    conv(p + "conv_pwl", u.mid, out, 1, 1);
                    bn(p + "bn3", out);
                } else {
                    throw new IllegalStateException("Unknown block type " + u.type);
                }
                units.add(u);
                in = out;
            }
            stages.add(units);
        }
        conv("conv_head", in, HEAD_CHANNELS, 1, 1);
        bn("bn2", HEAD_CHANNELS);
        addClassifier(
                (float)
                        (1.0
                                / Math.sqrt(
                                        Math.max(
                                                1,
                                                numClasses)))); // timm: uniform(+-1/sqrt(fan_out))
    }

    /** "ir_r2_k3_s2_e6_c24_se0.25" -> {type=ir, r=2, k=3, s=2, e=6, c=24, se=0.25}. */
    static Map<String, String> decode(String blockString) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] parts = blockString.split("_");
        m.put("type", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            String key = part.startsWith("se") ? "se" : part.substring(0, 1);
            m.put(key, part.substring(key.length()));
        }
        m.putIfAbsent("se", "0");
        return m;
    }

    private void conv(String name, int in, int out, int k, int groups) {
        // timm _init_weight_goog: normal(0, sqrt(2 / fan_out)), fan_out = k * k * out / groups
        double fanOut = (double) k * k * out / groups;
        register(
                Parameter.builder()
                        .setName(name + ".weight")
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(out, in / groups, k, k))
                        .optInitializer(new NormalInitializer((float) Math.sqrt(2.0 / fanOut)))
                        .build());
    }

    private void bn(String name, int c) {
        register(
                Parameter.builder()
                        .setName(name + ".weight")
                        .setType(Parameter.Type.GAMMA)
                        .optShape(new Shape(c))
                        .optInitializer(new ConstantInitializer(1))
                        .build());
        register(
                Parameter.builder()
                        .setName(name + ".bias")
                        .setType(Parameter.Type.BETA)
                        .optShape(new Shape(c))
                        .optInitializer(new ConstantInitializer(0))
                        .build());
        register(
                Parameter.builder()
                        .setName(name + ".running_mean")
                        .setType(Parameter.Type.RUNNING_MEAN)
                        .optShape(new Shape(c))
                        .optInitializer(new ConstantInitializer(0))
                        .optRequiresGrad(false)
                        .build());
        register(
                Parameter.builder()
                        .setName(name + ".running_var")
                        .setType(Parameter.Type.RUNNING_VAR)
                        .optShape(new Shape(c))
                        .optInitializer(new ConstantInitializer(1))
                        .optRequiresGrad(false)
                        .build());
    }

    private void se(String name, int c, int rd) {
        conv(name + ".conv_reduce", c, rd, 1, 1);
        register(
                Parameter.builder()
                        .setName(name + ".conv_reduce.bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(rd))
                        .optInitializer(new ConstantInitializer(0))
                        .build());
        conv(name + ".conv_expand", rd, c, 1, 1);
        register(
                Parameter.builder()
                        .setName(name + ".conv_expand.bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(c))
                        .optInitializer(new ConstantInitializer(0))
                        .build());
    }

    public Variant variant() {
        return variant;
    }

    /** The decoded blocks per stage (for {@link FoldedEfficientNet}). */
    List<List<Unit>> stages() {
        return Collections.unmodifiableList(stages);
    }

    @Override
    public String arch() {
        return variant.timmName;
    }

    @Override
    public int numLayers() {
        return NUM_LAYERS;
    }

    @Override
    public Shape mapShape(int layer, int inputSize) {
        return layerShape(layer, inputSize);
    }

    @Override
    public String describeLayer(int layer) {
        return layerName(layer);
    }

    @Override
    public NDArray preprocess(NDArray images, ModelConfig config) {
        return Normalization.normalize(images, config.mean, config.std);
    }

    /**
     * Parameter count as torch's {@code sum(p.numel() for p in model.parameters())}: no BN running
     * stats (buffers), frozen or not.
     */
    public long countParameters() {
        return countParameters(named.values());
    }

    /** Counts parameters, leaving out BN running statistics (torch buffers). */
    public static long countParameters(java.util.Collection<Parameter> params) {
        long n = 0;
        for (Parameter p : params) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN
                    && p.getType() != Parameter.Type.RUNNING_VAR) {
                n +=
                        (p.getShape() != null ? p.getShape() : p.getArray().getShape())
                                .size(); // imported graph weights carry only an array
            }
        }
        return n;
    }

    /** Channels of the map after {@code layer} (1..9). */
    public static int layerChannels(int layer) {
        checkLayer(layer);
        if (layer == 1) {
            return STEM_CHANNELS;
        }
        if (layer == NUM_LAYERS) {
            return HEAD_CHANNELS;
        }
        return Integer.parseInt(decode(B0_ARCH[layer - 2]).get("c"));
    }

    /**
     * Shape (C, H, W) of the map after {@code layer} for a square input of side {@code inputSize}.
     */
    public static Shape layerShape(int layer, int inputSize) {
        checkLayer(layer);
        int size = TfSamePadding.outputSize(inputSize, 2); // stem stride 2
        for (int s = 0; s < Math.min(layer - 1, B0_ARCH.length); s++) {
            size = TfSamePadding.outputSize(size, Integer.parseInt(decode(B0_ARCH[s]).get("s")));
        }
        return new Shape(layerChannels(layer), size, size);
    }

    /** Human-readable name of a layer, e.g. "blocks.3 (ir k3 s2 x3)". */
    public static String layerName(int layer) {
        checkLayer(layer);
        if (layer == 1) {
            return "stem (conv_stem+bn1+SiLU)";
        }
        if (layer == NUM_LAYERS) {
            return "head (conv_head+bn2+SiLU)";
        }
        Map<String, String> d = decode(B0_ARCH[layer - 2]);
        return String.format(
                Locale.ROOT,
                "blocks.%d (%s k%s s%s e%s x%s)",
                layer - 2,
                d.get("type"),
                d.get("k"),
                d.get("s"),
                d.get("e"),
                d.get("r"));
    }

    static void checkLayer(int layer) {
        if (layer < 1 || layer > NUM_LAYERS) {
            throw new IllegalArgumentException(
                    "EfficientNet-B0 layer must be 1.." + NUM_LAYERS + " (1 = stem), got " + layer);
        }
    }

    /**
     * Runs layers {@code from..to} (inclusive). {@code x} is the input of layer {@code from}: the
     * normalised image for from = 1, otherwise the output of layer from - 1.
     */
    @Override
    public NDArray forwardLayers(ParameterStore ps, NDArray x, boolean training, int from, int to) {
        checkLayer(from);
        checkLayer(to);
        if (from == 1 && training) {
            stemChannelsLast();
        }
        B0Blocks.Ops ops = new TrainableOps(ps, training);
        for (int layer = from; layer <= to; layer++) {
            x = B0Blocks.layer(x, layer, stages, ops);
        }
        return x;
    }

    /**
     * Layer {@code layer} with {@code preNorm} applied to the output of its last convolution before
     * that convolution's BatchNorm (the pre-activation tap, {@link #preTapName}): for the stem,
     * conv_stem's signed output before bn1+SiLU. Intermediates stay in x's manager (usable inside a
     * GradientCollector).
     */
    @Override
    public NDArray forwardLayerPreTapped(
            ParameterStore ps,
            NDArray x,
            boolean training,
            int layer,
            UnaryOperator<NDArray> preNorm) {
        checkLayer(layer);
        if (layer == 1 && training) {
            stemChannelsLast();
        }
        return B0Blocks.layer(
                x,
                layer,
                stages,
                new TrainableOps(ps, training),
                new B0Blocks.Tap(preTapConv(layer)[0], preNorm));
    }

    @Override
    public String describePreTap(int layer) {
        return preTapName(layer);
    }

    /**
     * The convolution whose pre-norm output is layer {@code layer}'s pre-activation tap, and its
     * norm.
     */
    static String[] preTapConv(int layer) {
        checkLayer(layer);
        if (layer == 1) {
            return new String[] {"conv_stem", "bn1"};
        }
        if (layer == NUM_LAYERS) {
            return new String[] {"conv_head", "bn2"};
        }
        Map<String, String> d = decode(B0_ARCH[layer - 2]);
        String last = "blocks." + (layer - 2) + "." + (Integer.parseInt(d.get("r")) - 1) + ".";
        return "ds".equals(d.get("type"))
                ? new String[] {last + "conv_pw", last + "bn2"}
                : new String[] {last + "conv_pwl", last + "bn3"};
    }

    /**
     * Where the pre-activation tap of a layer sits, e.g. "conv_stem output (before bn1+SiLU,
     * signed)".
     */
    public static String preTapName(int layer) {
        String[] c = preTapConv(layer);
        boolean residual =
                layer > 1
                        && layer < NUM_LAYERS
                        && Integer.parseInt(decode(B0_ARCH[layer - 2]).get("r"))
                                > 1; // last repeat: in == out, stride 1
        String after =
                layer == 1 || layer == NUM_LAYERS
                        ? c[1] + "+SiLU"
                        : c[1] + (residual ? " and the residual add" : "");
        return c[0] + " output (before " + after + ", signed)";
    }

    /**
     * Inference-only {@link #forwardLayers}: each layer runs in its own sub-manager that is closed
     * right after, so only layer outputs stay alive (DJL otherwise keeps every intermediate until
     * the batch manager closes). Never use inside a GradientCollector: backward needs the
     * intermediates.
     */
    @Override
    public NDArray forwardLayersLean(ParameterStore ps, NDArray x, int from, int to) {
        checkLayer(from);
        checkLayer(to);
        ai.djl.ndarray.NDManager parent = x.getManager();
        for (int layer = from; layer <= to; layer++) {
            try (ai.djl.ndarray.NDManager sub = parent.newSubManager()) {
                x.tempAttach(sub);
                NDArray out = forwardLayers(ps, x, false, layer, layer);
                out.attach(parent);
                x = out;
            }
        }
        return x;
    }

    /** Conv + BN with autograd-friendly (out-of-place) ops, as timm trains. */
    private final class TrainableOps implements B0Blocks.Ops {
        private final ParameterStore ps;
        private final boolean training;

        TrainableOps(ParameterStore ps, boolean training) {
            this.ps = ps;
            this.training = training;
        }

        @Override
        public NDArray convBn(
                NDArray x,
                String conv,
                String bn,
                int kernel,
                int stride,
                int groups,
                boolean silu) {
            NDArray y =
                    bn(
                            ps,
                            conv(ps, x, conv, kernel, stride, groups, false, training),
                            bn,
                            training);
            return silu ? silu(y) : y;
        }

        @Override
        public NDArray convTapBn(
                NDArray x,
                String conv,
                String bn,
                int kernel,
                int stride,
                int groups,
                boolean silu,
                UnaryOperator<NDArray> preNorm) {
            NDArray y =
                    bn(
                            ps,
                            preNorm.apply(
                                    conv(ps, x, conv, kernel, stride, groups, false, training)),
                            bn,
                            training);
            return silu ? silu(y) : y;
        }

        @Override
        public NDArray squeezeExcite(NDArray x, String name) {
            NDArray s =
                    Pool.globalAvgPool2d(x)
                            .expandDims(2)
                            .expandDims(3); // PtNDArray.mean takes one axis only
            s = silu(conv(ps, s, name + ".conv_reduce", 1, 1, 1, true, training));
            s = Activation.sigmoid(conv(ps, s, name + ".conv_expand", 1, 1, 1, true, training));
            return x.mul(s);
        }

        @Override
        public NDArray residual(NDArray x, NDArray shortcut) {
            return x.add(shortcut);
        }

        @Override
        public void release(NDArray used) {
            // autograd may still need it; the batch's manager frees it
        }
    }

    /**
     * Native handle of conv_stem.weight when it was last stored channels-last (a reload replaces
     * it).
     */
    private Object stemLayoutHandle;

    /**
     * Stores the stem kernel channels-last (same values, see {@link
     * FoldedEfficientNet#channelsLast}). PyTorch's CPU convolution follows the weight's memory
     * format and every later op keeps the input's, so all maps of a training step, forward and
     * backward, become channels-last, which oneDNN runs faster. Depthwise and 1x1 kernels look the
     * same in both layouts and need no change.
     */
    private void stemChannelsLast() {
        Parameter p = named.get("conv_stem.weight");
        NDArray a = p.getArray();
        if (!(a instanceof ai.djl.util.NativeResource<?> r)
                || r.getHandle().equals(stemLayoutHandle)) {
            return;
        }
        try (ai.djl.ndarray.NDManager tmp = a.getManager().newSubManager()) {
            NDArray plain = a.stopGradient();
            plain.attach(tmp);
            NDArray cl = FoldedEfficientNet.channelsLast(plain).duplicate();
            a.intern(cl);
        }
        a.setRequiresGradient(p.requiresGradient());
        stemLayoutHandle = r.getHandle();
    }

    private NDArray value(ParameterStore ps, NDArray like, String name, boolean training) {
        return ps.getValue(named.get(name), like.getDevice(), training);
    }

    private NDArray conv(
            ParameterStore ps,
            NDArray x,
            String name,
            int k,
            int stride,
            int groups,
            boolean bias,
            boolean training) {
        NDArray w = value(ps, x, name + ".weight", training);
        NDArray b = bias ? value(ps, x, name + ".bias", training) : null;
        return B0Blocks.conv(variant, x, w, b, k, stride, groups, null);
    }

    private NDArray bn(ParameterStore ps, NDArray x, String name, boolean training) {
        return BatchNorm.batchNorm(
                        x,
                        value(ps, x, name + ".running_mean", training),
                        value(ps, x, name + ".running_var", training),
                        value(ps, x, name + ".weight", training),
                        value(ps, x, name + ".bias", training),
                        1,
                        BN_MOMENTUM,
                        variant.bnEps,
                        training)
                .singletonOrThrow();
    }

    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    @Override
    public void initialize(
            ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Parameter p : named.values()) {
            p.initialize(manager, dataType);
        }
    }
}
