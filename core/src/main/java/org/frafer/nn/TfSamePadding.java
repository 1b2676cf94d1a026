package org.frafer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * TensorFlow "SAME" padding as timm's Conv2dSame computes it from the actual input size: output
 * {@code ceil(in / stride)}, total padding {@code max((out - 1) * stride + (k - 1) * dilation + 1 -
 * in, 0)}, the smaller half before and the larger half after (asymmetric for even totals' odd
 * remainder, e.g. an even input with stride 2 and k = 3 pads 0 before, 1 after).
 */
public final class TfSamePadding {
    private TfSamePadding() {}

    /** {before, after} padding along one axis. */
    public static int[] padding(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
        return new int[] {total / 2, total - total / 2};
    }

    /**
     * Output size of a SAME convolution (and of timm's symmetric-padding B0 convs, which agree for
     * odd kernels).
     */
    public static int outputSize(int in, int stride) {
        return (in + stride - 1) / stride;
    }

    /**
     * Whether SAME padding is one larger after than before on both axes, (lo, lo + 1), as for
     * stride 2 on even sizes. PyTorch's conv pads symmetrically only; such a conv can run as {@link
     * #widened} kernel with lo + 1 on both sides instead of on a padded copy of the map.
     */
    public static boolean oneMoreAfter(int[] ph, int[] pw) {
        return ph[1] == ph[0] + 1 && pw[1] == pw[0] + 1;
    }

    /**
     * An (O, I, k, k) kernel widened to (O, I, k+1, k+1) by a zero first row and column. With
     * padding lo + 1 on both sides it reads exactly the taps of the k x k kernel under SAME padding
     * (lo, lo + 1) - the extra tap adds an exact zero - and gives the same output size, without
     * copying the map into a padded one: about half the time of pad + conv for stride-2 depthwise
     * convs (for the 3-channel stems the copy is cheaper). Differentiable: the gradient flows back
     * to the k x k kernel. The result is in w's manager.
     */
    public static NDArray widened(NDArray w) {
        return w.pad(new Shape(1, 0, 1, 0), 0);
    }

    /**
     * Zero-pads an NCHW array for a SAME convolution; returns x itself when no padding is needed.
     */
    public static NDArray pad(NDArray x, int kernel, int stride) {
        Shape s = x.getShape();
        int[] ph = padding((int) s.get(2), kernel, stride, 1);
        int[] pw = padding((int) s.get(3), kernel, stride, 1);
        if (ph[0] == 0 && ph[1] == 0 && pw[0] == 0 && pw[1] == 0) {
            return x;
        }
        // torch constant_pad_nd order: last axis first (left, right, top, bottom)
        return x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), 0);
    }
}
