package org.frafer.model.fusion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.frafer.faces.FrBackbone;

/**
 * The one registry of fusion names ({@code ModelConfig.fusion}): config validation, the network,
 * the CLI help and {@code model summary} all read it. To add a fusion: a {@link Fusion} subclass
 * and one {@link #register} line.
 */
public final class Fusions {
    /**
     * Builds a fusion for a FER map with {@code ferChannels} channels and an FR map with {@code
     * frChannels}.
     */
    @FunctionalInterface
    public interface Factory {
        Fusion create(int ferChannels, int frChannels);
    }

    /**
     * A known fusion: name, one-line description, whether it needs the frozen FR branch, and its
     * factory (null: none).
     */
    public record Spec(String name, String description, boolean needsFr, Factory factory) {
        /** The fusion block, or null for {@code none}. */
        public Fusion create(int ferChannels, int frChannels) {
            return factory == null ? null : factory.create(ferChannels, frChannels);
        }

        /**
         * Features the fusion appends to the pooled FER embedding (concat: the FR embedding width).
         */
        public int extraEmbeddingFeatures(FrBackbone fr) {
            return ConcatFusion.NAME.equals(name) ? ConcatFusion.extraEmbeddingFeatures(fr) : 0;
        }
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        register(
                "fra",
                "the paper's FR-based attention at FER layer q from FR layer p",
                true,
                (fer, fr) -> new FraFusion(fr));
        register(
                FraResidualFusion.NAME,
                "FR attention as H * (1 + S): acts on ReLU maps, gradient never vanishes",
                true,
                (fer, fr) -> new FraResidualFusion(fr));
        register("none", "plain FER backbone, no FR branch", false, null);
        register(
                ConcatFusion.NAME,
                "FR identity embedding appended to the FER embedding",
                true,
                (fer, fr) -> new ConcatFusion());
        register(
                "cse",
                "channel squeeze-excitation on H_FER_q",
                false,
                (fer, fr) -> new ChannelSe(fer, ChannelSe.DEFAULT_REDUCTION));
        register(
                "sse",
                "spatial squeeze-excitation on H_FER_q",
                false,
                (fer, fr) -> new SpatialSe(fer));
        register(
                "scse",
                "concurrent channel + spatial squeeze-excitation on H_FER_q",
                false,
                (fer, fr) -> new ConcurrentSe(fer));
    }

    /** Names in the order help texts and error messages show them. */
    public static final List<String> NAMES = List.copyOf(new ArrayList<>(SPECS.keySet()));

    private Fusions() {}

    private static void register(
            String name, String description, boolean needsFr, Factory factory) {
        SPECS.put(name, new Spec(name, description, needsFr, factory));
    }

    public static boolean isKnown(String name) {
        return name != null && SPECS.containsKey(name);
    }

    /** The spec of a fusion name; throws naming the known ones otherwise. */
    public static Spec spec(String name) {
        Spec s = name == null ? null : SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException(
                    "Unknown fusion '" + name + "'; known: " + String.join(", ", NAMES));
        }
        return s;
    }
}
