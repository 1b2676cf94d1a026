package org.frafer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.frafer.nn.NamedParameters;

/**
 * Checkpoint (timm state_dict) names of a block's parameters. DJL paths prefix child names with
 * numbers ({@code 01fer_conv_stem.weight}) and call BN tensors gamma/beta/runningMean/runningVar;
 * our blocks carry timm names themselves ({@link NamedParameters}), this is the single lookup.
 */
public final class TimmNames {
    private TimmNames() {}

    /** Parameters by timm name; for a FRA-FER network the fusion's are prefixed {@code fusion.}. */
    public static Map<String, Parameter> parameters(Object blockOrNetwork) {
        if (blockOrNetwork instanceof NamedParameters named) {
            return named.namedParameters();
        }
        if (blockOrNetwork instanceof Block block) {
            throw new IllegalArgumentException(
                    "Block "
                            + block.getClass().getSimpleName()
                            + " has no timm names (only EfficientNet, fusions and FRA-FER networks do)");
        }
        throw new IllegalArgumentException("Not a block or network: " + blockOrNetwork);
    }

    /** Like {@link #parameters} but only those trained by gradients (no BN running statistics). */
    public static Map<String, Parameter> trainable(Object blockOrNetwork) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        parameters(blockOrNetwork)
                .forEach(
                        (k, v) -> {
                            if (v.requiresGradient()) {
                                out.put(k, v);
                            }
                        });
        return out;
    }
}
