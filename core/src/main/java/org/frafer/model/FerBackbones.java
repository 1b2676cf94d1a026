package org.frafer.model;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Registry of trainable FER backbones by config arch name ({@code ModelConfig.arch}). To add one:
 * implement {@link FerBackbone}, add its names to {@link #KNOWN} and a case in {@link #create}.
 */
public final class FerBackbones {
    /** Arch names this build knows, in the order shown in error messages. */
    public static final List<String> KNOWN;

    static {
        List<String> k = new ArrayList<>();
        for (EfficientNet.Variant v : EfficientNet.Variant.values()) {
            k.add(v.timmName);
        }
        k.addAll(FaceResTrunk.ARCHS);
        KNOWN = List.copyOf(k);
    }

    private FerBackbones() {}

    /** Throws naming the known archs when {@code arch} is not one of them. */
    public static void check(String arch) {
        if (!KNOWN.contains(arch)) {
            throw new IllegalArgumentException(
                    "Unknown FER backbone arch '" + arch + "'; known: " + KNOWN);
        }
    }

    /**
     * A new backbone with a classifier of {@code numClasses} outputs: EfficientNets randomly
     * initialised (load weights afterwards), FaceRes trunks from their face-ID weights (graph
     * weights owned by {@code manager}).
     */
    public static FerBackbone create(
            String arch, int numClasses, int extraFeatures, float dropRate, NDManager manager) {
        check(arch);
        if (FaceResTrunk.ARCHS.contains(arch)) {
            return new FaceResTrunk(arch, numClasses, extraFeatures, dropRate, manager);
        }
        return new EfficientNet(EfficientNet.Variant.of(arch), numClasses, extraFeatures, dropRate);
    }
}
