package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * The FRA block (Shahabinejad et al. 2021, Eq. 3-5): {@code S =
 * Interpolate(Sigmoid(Conv1x1_{C_p->1}(H_FR_p)))} resized bilinearly (align_corners=False, like
 * torch's F.interpolate) to H_q x W_q, then {@code H_FER_q <- max(S * H_FER_q, H_FER_q)}
 * element-wise. Parameters: {@code conv.weight} (1, C_p, 1, 1), {@code conv.bias} (1).
 */
public class FraFusion extends Fusion {
    private final Parameter weight;
    private final Parameter bias;

    public FraFusion(int frChannels) {
        this("fra", frChannels);
    }

    /** For variants that combine S and H_FER_q differently ({@link #combine}). */
    protected FraFusion(String name, int frChannels) {
        super(name);
        weight = weight("conv.weight", new Shape(1, frChannels, 1, 1), frChannels);
        bias = bias("conv.bias", new Shape(1), frChannels);
    }

    @Override
    public boolean needsFrFeatures() {
        return true;
    }

    @Override
    public Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training) {
        if (hFr == null) {
            throw new IllegalArgumentException("fra fusion needs the FR feature map H_FR_p");
        }
        if (hFr.getShape().get(1) != weight.getShape().get(1)) {
            throw new IllegalArgumentException(
                    "fra fusion expects H_FR_p with "
                            + weight.getShape().get(1)
                            + " channels, got "
                            + hFr.getShape());
        }
        NDArray logits =
                Conv2d.conv2d(hFr, value(ps, hFr, weight, training), value(ps, hFr, bias, training))
                        .singletonOrThrow();
        NDArray s =
                resizeBilinear(
                        Activation.sigmoid(logits), hFer.getShape().get(2), hFer.getShape().get(3));
        return new Result(combine(hFer, s), s);
    }

    /** The paper's Eq. 5: {@code max(S * H, H)}. */
    protected NDArray combine(NDArray hFer, NDArray s) {
        return hFer.mul(s).maximum(hFer);
    }

    /**
     * torch F.interpolate(x, size, mode='bilinear', align_corners=False) on NCHW; x itself when the
     * size matches.
     */
    public static NDArray resizeBilinear(NDArray x, long height, long width) {
        if (x.getShape().get(2) == height && x.getShape().get(3) == width) {
            return x;
        }
        return org.frafer.nn.BilinearResize.resize(x, height, width);
    }
}
