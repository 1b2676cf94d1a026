package org.frafer.nn;

import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * A block whose parameters carry checkpoint names (timm state_dict keys), independent of DJL's
 * block paths.
 */
public interface NamedParameters {
    /**
     * Parameters by checkpoint name, in a stable order (for BN: weight, bias, running_mean,
     * running_var).
     */
    Map<String, Parameter> namedParameters();
}
