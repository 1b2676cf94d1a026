package org.frafer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the FER backbones share after their last layer: global average pooling, dropout and a linear
 * classifier named {@code classifier.weight} / {@code classifier.bias}, plus the plumbing that lets
 * a backbone run as a standalone DJL block (images in, logits or the pooled embedding out).
 */
abstract class FerBackboneBlock extends AbstractBlock implements FerBackbone {
    protected final int numClasses;
    protected final int classifierIn;
    protected final float dropRate;

    /** Parameters by checkpoint name, in registration order. */
    protected final Map<String, Parameter> named = new LinkedHashMap<>();

    /**
     * @param numClasses classifier outputs, 0 for a headless feature extractor (no classifier
     *     parameters)
     * @param classifierIn pooled embedding width plus any concatenated features (concat fusion)
     */
    protected FerBackboneBlock(int numClasses, int classifierIn, float dropRate) {
        super((byte) 1);
        this.numClasses = numClasses;
        this.classifierIn = classifierIn;
        this.dropRate = dropRate;
    }

    /** Registers a parameter under its own name (the checkpoint name). */
    protected final Parameter register(Parameter p) {
        addParameter(p);
        named.put(p.getName(), p);
        return p;
    }

    /** Adds the classifier (when numClasses > 0): weight uniform(+-bound), bias 0. */
    protected final void addClassifier(float bound) {
        if (numClasses > 0) {
            register(
                    Parameter.builder()
                            .setName("classifier.weight")
                            .setType(Parameter.Type.WEIGHT)
                            .optShape(new Shape(numClasses, classifierIn))
                            .optInitializer(new UniformInitializer(bound))
                            .build());
            register(
                    Parameter.builder()
                            .setName("classifier.bias")
                            .setType(Parameter.Type.BIAS)
                            .optShape(new Shape(numClasses))
                            .optInitializer(new ConstantInitializer(0))
                            .build());
        }
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return java.util.Collections.unmodifiableMap(named);
    }

    public int numClasses() {
        return numClasses;
    }

    @Override
    public int classifierInFeatures() {
        return classifierIn;
    }

    /** Global average pool of the last layer's map: the embedding the classifier sees, (N, C). */
    @Override
    public NDArray pool(NDArray top) {
        return Pool.globalAvgPool2d(top);
    }

    /** Dropout (training only) + classifier on (N, classifierInFeatures). */
    @Override
    public NDArray classify(ParameterStore ps, NDArray embedding, boolean training) {
        if (numClasses == 0) {
            throw new IllegalStateException(arch() + " has no classifier (numClasses = 0)");
        }
        NDArray x = embedding;
        if (training && dropRate > 0) {
            x = Dropout.dropout(x, dropRate, true).singletonOrThrow();
        }
        return Linear.linear(
                        x,
                        ps.getValue(named.get("classifier.weight"), x.getDevice(), training),
                        ps.getValue(named.get("classifier.bias"), x.getDevice(), training))
                .singletonOrThrow();
    }

    /**
     * Standalone use: NDList(preprocessed images) -> NDList(logits), or the pooled embedding when
     * headless.
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = forwardLayers(ps, inputs.singletonOrThrow(), training, 1, numLayers());
        NDArray e = pool(x);
        return new NDList(numClasses > 0 ? classify(ps, e, training) : e);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {
            new Shape(inputShapes[0].get(0), numClasses > 0 ? numClasses : classifierIn)
        };
    }

    /** All shapes are fixed at construction; input shapes are not needed. */
    @Override
    protected void prepare(Shape[] inputShapes) {}
}
