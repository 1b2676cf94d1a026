package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;

/**
 * FRA with a residual combination, {@code H_FER_q <- H * (1 + S)} (fusion name {@code
 * fra-residual}), beyond the paper: on ReLU maps (H >= 0) the paper's {@code max(S * H, H)} is H
 * itself, and its gradient with respect to S is zero wherever {@code S * H < H}; here {@code
 * dOut/dS = H}, so the attention always learns, and the map is amplified by up to 2x where S is
 * high. Same parameters as {@link FraFusion} ({@code conv.weight}, {@code conv.bias}).
 */
public final class FraResidualFusion extends FraFusion {
    public static final String NAME = "fra-residual";

    public FraResidualFusion(int frChannels) {
        super(NAME, frChannels);
    }

    @Override
    protected NDArray combine(NDArray hFer, NDArray s) {
        return hFer.mul(s).add(hFer); // H + H * S (S broadcast over channels)
    }
}
