package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.List;
import org.frafer.nn.SameConv;

/**
 * The EfficientNet-B0 forward, written once: a layer (stem, one stage of blocks, head) and a block
 * (timm's DepthwiseSeparableConv "ds" and InvertedResidual "ir"). {@link EfficientNet} runs it with
 * trainable conv + BN; {@link FoldedEfficientNet} with BN folded into the convs and in-place
 * activations. What differs is an {@link Ops}.
 */
final class B0Blocks {
    private B0Blocks() {}

    /** How one network variant runs the pieces of a block. */
    interface Ops {
        /**
         * conv {@code conv} then BatchNorm {@code bn} (folded copies ignore bn), then SiLU when
         * {@code silu}.
         */
        NDArray convBn(
                NDArray x,
                String conv,
                String bn,
                int kernel,
                int stride,
                int groups,
                boolean silu);

        /**
         * Squeeze-excite gate {@code name} (conv_reduce, SiLU, conv_expand, sigmoid) applied to x.
         */
        NDArray squeezeExcite(NDArray x, String name);

        /**
         * As {@link #convBn}, with {@code preNorm} applied to the conv output before the BatchNorm:
         * the pre-activation tap (config tap = pre). Folded copies keep this conv unfolded and run
         * its BN after preNorm.
         */
        NDArray convTapBn(
                NDArray x,
                String conv,
                String bn,
                int kernel,
                int stride,
                int groups,
                boolean silu,
                java.util.function.UnaryOperator<NDArray> preNorm);

        /** x + shortcut. */
        NDArray residual(NDArray x, NDArray shortcut);

        /**
         * An intermediate nothing reads any more (the folded copy frees it at once; autograd keeps
         * it).
         */
        void release(NDArray used);
    }

    /** A pre-activation tap: the conv whose output (before its BN) goes through {@code preNorm}. */
    record Tap(String conv, java.util.function.UnaryOperator<NDArray> preNorm) {}

    /** Layer {@code layer} (1 = stem, 2..8 = stages, 9 = head) on its input x. */
    static NDArray layer(NDArray x, int layer, List<List<EfficientNet.Unit>> stages, Ops ops) {
        return layer(x, layer, stages, ops, null);
    }

    /**
     * As {@link #layer(NDArray, int, List, Ops)}, with the pre-activation tap {@code tap} (or
     * null).
     */
    static NDArray layer(
            NDArray x, int layer, List<List<EfficientNet.Unit>> stages, Ops ops, Tap tap) {
        if (layer == 1) {
            return convBn(ops, tap, x, "conv_stem", "bn1", 3, 2, 1, true);
        }
        if (layer == EfficientNet.NUM_LAYERS) {
            return convBn(ops, tap, x, "conv_head", "bn2", 1, 1, 1, true);
        }
        NDArray layerInput = x;
        for (EfficientNet.Unit u : stages.get(layer - 2)) {
            NDArray next = unit(x, u, ops, tap);
            if (x != layerInput) {
                ops.release(x);
            }
            x = next;
        }
        return x;
    }

    /** One block; x (its input and shortcut) is left to the caller. */
    static NDArray unit(NDArray x, EfficientNet.Unit u, Ops ops) {
        return unit(x, u, ops, null);
    }

    private static NDArray unit(NDArray x, EfficientNet.Unit u, Ops ops, Tap tap) {
        String p = u.prefix();
        NDArray y;
        if ("ds".equals(u.type())) {
            y = ops.convBn(x, p + "conv_dw", p + "bn1", u.kernel(), u.stride(), u.in(), true);
            y = ops.squeezeExcite(y, p + "se");
            y = then(ops, y, convBn(ops, tap, y, p + "conv_pw", p + "bn2", 1, 1, 1, false));
        } else {
            y = ops.convBn(x, p + "conv_pw", p + "bn1", 1, 1, 1, true);
            y =
                    then(
                            ops,
                            y,
                            ops.convBn(
                                    y,
                                    p + "conv_dw",
                                    p + "bn2",
                                    u.kernel(),
                                    u.stride(),
                                    u.mid(),
                                    true));
            y = ops.squeezeExcite(y, p + "se");
            y = then(ops, y, convBn(ops, tap, y, p + "conv_pwl", p + "bn3", 1, 1, 1, false));
        }
        return u.skip() ? ops.residual(y, x) : y;
    }

    /**
     * The tapped conv through {@link Ops#convTapBn}, every other one through {@link Ops#convBn}.
     */
    private static NDArray convBn(
            Ops ops,
            Tap tap,
            NDArray x,
            String conv,
            String bn,
            int k,
            int stride,
            int groups,
            boolean silu) {
        if (tap != null && tap.conv().equals(conv)) {
            return ops.convTapBn(x, conv, bn, k, stride, groups, silu, tap.preNorm());
        }
        return ops.convBn(x, conv, bn, k, stride, groups, silu);
    }

    private static NDArray then(Ops ops, NDArray used, NDArray next) {
        ops.release(used);
        return next;
    }

    /**
     * A B0 convolution with the variant's padding: TF SAME ({@link SameConv}, tf_ variants) or
     * timm's symmetric {@code get_padding}. {@code widened}: a cached widened depthwise kernel, or
     * null.
     */
    static NDArray conv(
            EfficientNet.Variant variant,
            NDArray x,
            NDArray w,
            NDArray bias,
            int kernel,
            int stride,
            int groups,
            NDArray widened) {
        if (variant.tfSamePadding) {
            return SameConv.conv2d(x, w, bias, stride, stride, 1, 1, groups, widened);
        }
        int p = ((stride - 1) + (kernel - 1)) / 2; // timm get_padding
        return Conv2d.conv2d(
                        x,
                        w,
                        bias,
                        new Shape(stride, stride),
                        new Shape(p, p),
                        new Shape(1, 1),
                        groups)
                .singletonOrThrow();
    }
}
