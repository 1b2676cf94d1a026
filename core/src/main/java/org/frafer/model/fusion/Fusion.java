package org.frafer.model.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.frafer.faces.FrBackbone;
import org.frafer.nn.NamedParameters;

/**
 * A feature-map fusion applied to the FER map {@code H_FER_q}; the spatial ones (fra, fra-residual,
 * cse, sse, scse) are blocks with their own (trainable) parameters. Parameter names are local
 * ({@code conv.weight}); the network exposes them as {@code fusion.conv.weight}. {@code concat}
 * leaves the map as it is and works on the pooled embedding ({@link #embed}); {@code none} is no
 * fusion at all. Names: {@link Fusions}.
 */
public abstract class Fusion extends AbstractBlock implements NamedParameters {
    /** Output of a fusion: the new H_FER_q and the attention map (FRA's S, or null). */
    public record Result(NDArray output, NDArray attention) {}

    private final Map<String, Parameter> named = new LinkedHashMap<>();
    private final String name;

    protected Fusion(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** True when {@link #apply} needs the FR map H_FR_p. */
    public abstract boolean needsFrFeatures();

    /**
     * @param hFer H_FER_q (N, C_q, H_q, W_q)
     * @param hFr H_FR_p (N, C_p, H_p, W_p), or null when {@link #needsFrFeatures()} is false
     */
    public abstract Result apply(ParameterStore ps, NDArray hFer, NDArray hFr, boolean training);

    /** True when the network must build the frozen FR branch for this fusion. */
    public boolean needsFrBackbone() {
        return needsFrFeatures();
    }

    /**
     * The embedding the classifier sees, from the pooled FER embedding (N, D); the fusions on the
     * feature map keep it.
     *
     * @param fr the frozen FR branch (null when {@link #needsFrBackbone()} is false)
     * @param images the network input (NCHW RGB in [0, 1])
     */
    public NDArray embed(NDArray ferEmbedding, FrBackbone fr, NDArray images) {
        return ferEmbedding;
    }

    /** A fusion by name ({@link Fusions#NAMES}); null for {@code none}. */
    public static Fusion create(String name, int ferChannels, int frChannels) {
        return Fusions.spec(name).create(ferChannels, frChannels);
    }

    protected final Parameter weight(String paramName, Shape shape, int fanIn) {
        // torch's default Conv2d/Linear init: uniform(+-1/sqrt(fan_in)) for weight and bias
        return add(
                paramName,
                Parameter.Type.WEIGHT,
                shape,
                new UniformInitializer((float) (1.0 / Math.sqrt(fanIn))));
    }

    protected final Parameter bias(String paramName, Shape shape, int fanIn) {
        return add(
                paramName,
                Parameter.Type.BIAS,
                shape,
                new UniformInitializer((float) (1.0 / Math.sqrt(fanIn))));
    }

    protected final Parameter zeros(String paramName, Shape shape) {
        return add(paramName, Parameter.Type.BIAS, shape, new ConstantInitializer(0));
    }

    private Parameter add(String paramName, Parameter.Type type, Shape shape, Initializer init) {
        Parameter p =
                addParameter(
                        Parameter.builder()
                                .setName(paramName)
                                .setType(type)
                                .optShape(shape)
                                .optInitializer(init)
                                .build());
        named.put(paramName, p);
        return p;
    }

    protected final NDArray value(ParameterStore ps, NDArray like, Parameter p, boolean training) {
        return ps.getValue(p, like.getDevice(), training);
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(named);
    }

    /** Standalone: NDList(hFer[, hFr]) -> NDList(output). */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                apply(ps, inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, training)
                        .output());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {}

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Parameter p : named.values()) {
            p.initialize(manager, dataType);
        }
    }
}
