package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * scSE of Roy et al. 2018: element-wise max of the cSE and sSE outputs, as in the authors'
 * reference implementation (ChannelSpatialSELayer: torch.max(cSE(x), sSE(x))); (some
 * re-implementations add them instead). Parameters: {@code cse.fc1.*}, {@code cse.fc2.*}, {@code
 * sse.conv.*}.
 */
public final class ConcurrentSe extends Fusion {
    private final ChannelSe cse;
    private final SpatialSe sse;

    public ConcurrentSe(int channels) {
        super("scse");
        cse = addChildBlock("cse", new ChannelSe(channels, ChannelSe.DEFAULT_REDUCTION));
        sse = addChildBlock("sse", new SpatialSe(channels));
    }

    @Override
    public boolean needsFrFeatures() {
        return false;
    }

    @Override
    public Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training) {
        return new Result(
                cse.excite(ps, hFer, training).maximum(sse.excite(ps, hFer, training)), null);
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        cse.namedParameters().forEach((k, v) -> all.put("cse." + k, v));
        sse.namedParameters().forEach((k, v) -> all.put("sse." + k, v));
        return all;
    }

    @Override
    public void initialize(
            ai.djl.ndarray.NDManager manager,
            ai.djl.ndarray.types.DataType dataType,
            ai.djl.ndarray.types.Shape... shapes) {
        cse.initialize(manager, dataType, shapes);
        sse.initialize(manager, dataType, shapes);
    }
}
