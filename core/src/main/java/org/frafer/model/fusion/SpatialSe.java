package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * sSE of Roy et al. 2018: 1x1 conv C -> 1 (with bias), sigmoid, pixel-wise rescale of the FER map
 * itself (FRA without the FR branch and without the max). Parameters: {@code conv.weight}, {@code
 * conv.bias}.
 */
public final class SpatialSe extends Fusion {
    private final Parameter weight;
    private final Parameter bias;

    public SpatialSe(int channels) {
        super("sse");
        weight = weight("conv.weight", new Shape(1, channels, 1, 1), channels);
        bias = bias("conv.bias", new Shape(1), channels);
    }

    @Override
    public boolean needsFrFeatures() {
        return false;
    }

    NDArray excite(ParameterStore ps, NDArray x, boolean training) {
        NDArray q =
                Conv2d.conv2d(x, value(ps, x, weight, training), value(ps, x, bias, training))
                        .singletonOrThrow();
        return x.mul(Activation.sigmoid(q));
    }

    @Override
    public Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training) {
        return new Result(excite(ps, hFer, training), null);
    }
}
