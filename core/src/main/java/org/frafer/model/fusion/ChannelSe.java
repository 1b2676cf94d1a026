package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/**
 * cSE of Roy et al. 2018 ("Concurrent spatial and channel squeeze & excitation"): global average
 * pool, FC C -> C/r, ReLU, FC C/r -> C, sigmoid, channel-wise rescale. Reduction r = 2 as in the
 * authors' reference implementation (ai-med/squeeze_and_excitation, ChannelSELayer's default),
 * which keeps 16 hidden units for the 32-channel stem (r = 16 would leave 2). Parameters: {@code
 * fc1.*}, {@code fc2.*}.
 */
public final class ChannelSe extends Fusion {
    public static final int DEFAULT_REDUCTION = 2;
    private final Parameter w1;
    private final Parameter b1;
    private final Parameter w2;
    private final Parameter b2;

    public ChannelSe(int channels, int reduction) {
        super("cse");
        int hidden = Math.max(1, channels / reduction);
        w1 = weight("fc1.weight", new Shape(hidden, channels), channels);
        b1 = bias("fc1.bias", new Shape(hidden), channels);
        w2 = weight("fc2.weight", new Shape(channels, hidden), hidden);
        b2 = bias("fc2.bias", new Shape(channels), hidden);
    }

    @Override
    public boolean needsFrFeatures() {
        return false;
    }

    /** The rescaled map; shared with scSE. */
    NDArray excite(ParameterStore ps, NDArray x, boolean training) {
        NDArray z = ai.djl.nn.pooling.Pool.globalAvgPool2d(x);
        z =
                Activation.relu(
                        Linear.linear(z, value(ps, x, w1, training), value(ps, x, b1, training))
                                .singletonOrThrow());
        z =
                Activation.sigmoid(
                        Linear.linear(z, value(ps, x, w2, training), value(ps, x, b2, training))
                                .singletonOrThrow());
        return x.mul(z.expandDims(2).expandDims(3));
    }

    @Override
    public Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training) {
        return new Result(excite(ps, hFer, training), null);
    }
}
