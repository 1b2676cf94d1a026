package org.frafer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The one NCHW convolution with TensorFlow "SAME" padding ({@link TfSamePadding}), used by the
 * EfficientNets (timm's Conv2dSame), their BN-folded copy and TF.js graphs. PyTorch's conv pads
 * symmetrically only, so:
 *
 * <ul>
 *   <li>symmetric SAME padding (every stride-1 conv with an odd kernel): padded inside the conv, no
 *       copy;
 *   <li>(lo, lo + 1) on a depthwise conv without dilation (stride 2 on even sizes): the {@link
 *       TfSamePadding#widened} kernel with lo + 1 on both sides, no copy of the map;
 *   <li>otherwise: a zero-padded copy of the map, then a VALID conv.
 * </ul>
 */
public final class SameConv {
    private SameConv() {}

    /**
     * @param w (O, I / groups, kh, kw) kernel
     * @param bias (O) or null
     * @param widened the kernel already widened (a cached copy), or null to widen per call when
     *     needed
     */
    public static NDArray conv2d(
            NDArray x,
            NDArray w,
            NDArray bias,
            int strideH,
            int strideW,
            int dilationH,
            int dilationW,
            int groups,
            NDArray widened) {
        Shape ks = w.getShape();
        int[] ph =
                TfSamePadding.padding(
                        (int) x.getShape().get(2), (int) ks.get(2), strideH, dilationH);
        int[] pw =
                TfSamePadding.padding(
                        (int) x.getShape().get(3), (int) ks.get(3), strideW, dilationW);
        Shape stride = new Shape(strideH, strideW);
        Shape dilation = new Shape(dilationH, dilationW);
        if (ph[0] == ph[1] && pw[0] == pw[1]) {
            return Conv2d.conv2d(x, w, bias, stride, new Shape(ph[0], pw[0]), dilation, groups)
                    .singletonOrThrow();
        }
        boolean depthwise = groups > 1 && ks.get(1) == 1;
        if (depthwise && dilationH == 1 && dilationW == 1 && TfSamePadding.oneMoreAfter(ph, pw)) {
            NDArray wide = widened;
            if (wide == null) {
                wide = TfSamePadding.widened(w);
                wide.attach(
                        x.getManager()); // per call, like the map: never into the weights' manager
            }
            return Conv2d.conv2d(x, wide, bias, stride, new Shape(ph[1], pw[1]), dilation, groups)
                    .singletonOrThrow();
        }
        // torch constant_pad_nd order: last axis first (left, right, top, bottom)
        NDArray padded = x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), 0);
        return Conv2d.conv2d(padded, w, bias, stride, new Shape(0, 0), dilation, groups)
                .singletonOrThrow();
    }
}
