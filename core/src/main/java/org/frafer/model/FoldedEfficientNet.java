package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.frafer.nn.TfSamePadding;

/**
 * An inference-only snapshot of an {@link EfficientNet} with every BatchNorm folded into the
 * convolution before it: {@code w' = w * g / sqrt(v + eps)}, {@code b' = beta - mean * g / sqrt(v +
 * eps)} (per output channel). Eval-mode outputs equal the source network's up to float rounding,
 * with one pass over each feature map fewer per convolution. It also pads symmetrically inside the
 * convolution wherever TF "SAME" padding is symmetric (every stride-1 conv), as timm's
 * static-padding path does, and applies SiLU, the squeeze-excite gate and the residual add in place
 * (no autograd here, so nothing needs the pre-activation values).
 *
 * <p>A snapshot: it does not follow later changes to the source's parameters; build a new one after
 * training (FraFerNetwork drops its copy whenever it runs a training-mode forward).
 *
 * <p>Float32 only: DJL 0.36's PyTorch JNI has no bfloat16 tensors (casting to {@link
 * DataType#BFLOAT16} aborts the process inside libtorch), so bf16 inference is out of reach here.
 */
public final class FoldedEfficientNet implements AutoCloseable {
    private final EfficientNet source;
    private final NDManager manager;
    private final Map<String, NDArray> weights = new HashMap<>();
    private final Map<String, NDArray> biases = new HashMap<>();

    /**
     * Depthwise kernels widened for SAME padding (lo, lo + 1), see {@link TfSamePadding#widened}.
     */
    private final Map<String, NDArray> widenedWeights = new HashMap<>();

    private NDArray classifierWeight;
    private NDArray classifierBias;

    /**
     * Layer whose pre-activation tap is kept (its last conv left unfolded, the BN as a separate
     * affine), or 0.
     */
    private final int preTapLayer;

    private final String preTapConv;
    private NDArray preTapScale;
    private NDArray preTapShift;

    /**
     * Folds {@code net}'s current parameters (which must be initialised) into arrays owned by this
     * snapshot.
     */
    public FoldedEfficientNet(EfficientNet net) {
        this(net, 0);
    }

    /**
     * As {@link #FoldedEfficientNet(EfficientNet)}, but with layer {@code preTapLayer}'s
     * pre-activation map (config tap = pre) materialised for {@link #forwardLayerPreTapped}: that
     * layer's last convolution keeps its own weights and its BatchNorm runs after the tap as {@code
     * x * scale + shift}; 0 = no tap.
     */
    public FoldedEfficientNet(EfficientNet net, int preTapLayer) {
        this.source = net;
        this.manager = NDManager.newBaseManager();
        this.preTapLayer = preTapLayer;
        this.preTapConv = preTapLayer == 0 ? null : EfficientNet.preTapConv(preTapLayer)[0];
        Map<String, Parameter> p = net.namedParameters();
        if (preTapLayer != 0) {
            keepNormApart(p, EfficientNet.preTapConv(preTapLayer)[1]);
        }
        fold(p, "conv_stem", "bn1", null);
        for (List<EfficientNet.Unit> stage : net.stages()) {
            for (EfficientNet.Unit u : stage) {
                String x = u.prefix();
                if ("ds".equals(u.type())) {
                    fold(p, x + "conv_dw", x + "bn1", null);
                    fold(p, x + "conv_pw", x + "bn2", null);
                } else {
                    fold(p, x + "conv_pw", x + "bn1", null);
                    fold(p, x + "conv_dw", x + "bn2", null);
                    fold(p, x + "conv_pwl", x + "bn3", null);
                }
                fold(p, x + "se.conv_reduce", null, x + "se.conv_reduce.bias");
                fold(p, x + "se.conv_expand", null, x + "se.conv_expand.bias");
            }
        }
        fold(p, "conv_head", "bn2", null);
        if (net.numClasses() > 0) {
            try (NDManager tmp = manager.newSubManager()) {
                classifierWeight =
                        keep(copy(p, "classifier.weight", tmp).toType(DataType.FLOAT32, false));
                classifierBias =
                        keep(copy(p, "classifier.bias", tmp).toType(DataType.FLOAT32, false));
            }
        }
    }

    private static NDArray array(Map<String, Parameter> p, String name) {
        Parameter param = p.get(name);
        if (param == null || !param.isInitialized()) {
            throw new IllegalStateException(
                    "cannot fold EfficientNet: parameter "
                            + name
                            + " is missing or not initialised");
        }
        return param.getArray();
    }

    /**
     * The eval-mode BN of the tapped conv as scale and shift (1, C, 1, 1): {@code g / sqrt(v +
     * eps)}, {@code beta - mean * scale}.
     */
    private void keepNormApart(Map<String, Parameter> p, String bn) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray scale =
                    copy(p, bn + ".weight", tmp)
                            .div(
                                    copy(p, bn + ".running_var", tmp)
                                            .add(source.variant().bnEps)
                                            .sqrt());
            NDArray shift =
                    copy(p, bn + ".bias", tmp).sub(copy(p, bn + ".running_mean", tmp).mul(scale));
            preTapScale = keep(scale.toType(DataType.FLOAT32, false).reshape(1, -1, 1, 1));
            preTapShift = keep(shift.toType(DataType.FLOAT32, false).reshape(1, -1, 1, 1));
        }
    }

    /**
     * conv weight (+ optional conv bias) and optional BN into (w', b') kept in this snapshot's
     * manager; in float64.
     */
    private void fold(Map<String, Parameter> p, String conv, String bn, String convBias) {
        if (conv.equals(preTapConv)) {
            bn = null; // the tapped conv's BN runs after the tap (keepNormApart)
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray w = copy(p, conv + ".weight", tmp);
            NDArray b =
                    convBias == null
                            ? tmp.zeros(new Shape(w.getShape().get(0)), DataType.FLOAT64)
                            : copy(p, convBias, tmp);
            if (bn != null) {
                NDArray scale =
                        copy(p, bn + ".weight", tmp)
                                .div(
                                        copy(p, bn + ".running_var", tmp)
                                                .add(source.variant().bnEps)
                                                .sqrt());
                w = w.mul(scale.reshape(-1, 1, 1, 1));
                b =
                        b.sub(copy(p, bn + ".running_mean", tmp))
                                .mul(scale)
                                .add(copy(p, bn + ".bias", tmp));
            }
            NDArray w32 = w.toType(DataType.FLOAT32, false);
            weights.put(conv, keep(channelsLast(w32)));
            biases.put(conv, keep(b.toType(DataType.FLOAT32, false)));
            if (source.variant().tfSamePadding
                    && w.getShape().get(1) == 1
                    && w.getShape().get(2) > 1) {
                widenedWeights.put(
                        conv,
                        keep(channelsLast(TfSamePadding.widened(w32)))); // depthwise, see conv
            }
        }
    }

    /**
     * The same (O, I, kh, kw) values stored channels-last (strides of an (O, kh, kw, I) array).
     * PyTorch's CPU convolution follows the weight's memory format, so from the stem on every
     * feature map is channels-last, which oneDNN runs much faster for depthwise and 1x1
     * convolutions than NCHW.
     */
    static NDArray channelsLast(NDArray w) {
        Shape s = w.getShape();
        if (s.get(2) == 1 && s.get(3) == 1) {
            return w; // 1x1: the same memory either way
        }
        // reshape of the permuted view cannot be a view, so it copies into (O, kh, kw, I) order
        NDArray ohwi = w.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3) * s.get(1));
        return ohwi.reshape(s.get(0), s.get(2), s.get(3), s.get(1)).transpose(0, 3, 1, 2);
    }

    /**
     * A float64 copy of a parameter, owned by m (so temporaries never land in the parameter's
     * manager).
     */
    private static NDArray copy(Map<String, Parameter> p, String name, NDManager m) {
        NDArray c = array(p, name).toType(DataType.FLOAT64, true);
        c.attach(m);
        return c;
    }

    private NDArray keep(NDArray a) {
        NDArray out = a.stopGradient();
        out.attach(manager);
        return out;
    }

    /**
     * Layers {@code from..to} (1 = stem .. 9 = head, as {@link EfficientNet#forwardLayers}) in eval
     * mode on an already normalised float32 batch; intermediates are freed layer by layer, the
     * result belongs to x's manager.
     */
    public NDArray forwardLayers(NDArray x, int from, int to) {
        EfficientNet.checkLayer(from);
        EfficientNet.checkLayer(to);
        NDManager parent = x.getManager();
        for (int layer = from; layer <= to; layer++) {
            try (NDManager sub = parent.newSubManager()) {
                x.tempAttach(sub);
                NDArray out = layer(x, layer);
                out.attach(parent);
                x = out;
            }
        }
        return x;
    }

    /**
     * Layer {@code layer} with {@code preNorm} applied to its pre-activation map (needs a snapshot
     * built with that layer as preTapLayer); runs in x's manager, so what preNorm keeps stays
     * valid.
     */
    public NDArray forwardLayerPreTapped(NDArray x, int layer, UnaryOperator<NDArray> preNorm) {
        if (layer != preTapLayer) {
            throw new IllegalStateException(
                    "this folded snapshot keeps the pre-activation tap of layer "
                            + preTapLayer
                            + ", not "
                            + layer);
        }
        return B0Blocks.layer(
                x, layer, source.stages(), ops, new B0Blocks.Tap(preTapConv, preNorm));
    }

    private NDArray layer(NDArray x, int layer) {
        // the tapped conv is unfolded: without a fusion its BN must still run (identity tap)
        return B0Blocks.layer(
                x,
                layer,
                source.stages(),
                ops,
                layer == preTapLayer
                        ? new B0Blocks.Tap(preTapConv, UnaryOperator.identity())
                        : null);
    }

    // Maps a block no longer needs are closed at once (PyTorch frees them by reference counting),
    // so the
    // allocator hands their memory to the next op instead of keeping a whole layer's maps alive.
    private final B0Blocks.Ops ops =
            new B0Blocks.Ops() {
                @Override
                public NDArray convBn(
                        NDArray x,
                        String conv,
                        String bn,
                        int kernel,
                        int stride,
                        int groups,
                        boolean silu) {
                    NDArray y = conv(x, conv, kernel, stride, groups); // BN is folded into the conv
                    return silu ? siluInPlace(y) : y;
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
                    // unfolded conv -> preNorm (may keep its input and output) -> the BN affine as
                    // a fresh array
                    NDArray y =
                            preNorm.apply(conv(x, conv, kernel, stride, groups))
                                    .mul(preTapScale)
                                    .add(preTapShift);
                    return silu ? siluInPlace(y) : y;
                }

                @Override
                public NDArray squeezeExcite(NDArray x, String name) {
                    NDArray s = Pool.globalAvgPool2d(x).expandDims(2).expandDims(3);
                    s = siluInPlace(conv(s, name + ".conv_reduce", 1, 1, 1));
                    s = Activation.sigmoid(conv(s, name + ".conv_expand", 1, 1, 1));
                    return x.muli(s);
                }

                @Override
                public NDArray residual(NDArray x, NDArray shortcut) {
                    return x.addi(shortcut);
                }

                @Override
                public void release(NDArray used) {
                    used.close();
                }
            };

    /** x * sigmoid(x), overwriting x (x must be a fresh array nobody else reads). */
    private static NDArray siluInPlace(NDArray x) {
        NDArray gate = Activation.sigmoid(x);
        x.muli(gate);
        gate.close();
        return x;
    }

    private NDArray conv(NDArray x, String name, int k, int stride, int groups) {
        return B0Blocks.conv(
                source.variant(),
                x,
                weights.get(name),
                biases.get(name),
                k,
                stride,
                groups,
                widenedWeights.get(name));
    }

    /** Global average pool of the layer-9 map, (N, 1280). */
    public NDArray pool(NDArray head) {
        return Pool.globalAvgPool2d(head);
    }

    /** The classifier (no dropout: eval) on (N, classifierInFeatures). */
    public NDArray classify(NDArray embedding) {
        if (classifierWeight == null) {
            throw new IllegalStateException("This EfficientNet has no classifier (numClasses = 0)");
        }
        return Linear.linear(embedding, classifierWeight, classifierBias).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
