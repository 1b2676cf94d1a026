package org.frafer.model;

import java.nio.file.Path;
import java.util.List;
import org.frafer.faces.FaceModels;
import org.frafer.faces.FrBackbone;

/**
 * Registry of frozen FR backbones by id (the {@code frBackbone} field of a model config). The TF.js
 * face models of {@link FaceModels#FR_IDS} and every EfficientNet variant; listed with the other
 * names in {@link Registry}.
 */
public final class FrBackbones {
    /** Ids this build knows, in the order shown in error messages. */
    public static final List<String> KNOWN;

    static {
        List<String> k = new java.util.ArrayList<>(FaceModels.FR_IDS);
        for (EfficientNet.Variant v : EfficientNet.Variant.values()) {
            k.add(v.timmName);
        }
        KNOWN = List.copyOf(k);
    }

    private FrBackbones() {}

    /**
     * @param weightsOrNull the backbone's weights (safetensors with timm names for the
     *     EfficientNets); null = random weights for EfficientNets (a stand-in for
     *     shapes/benchmarks), or the bundled asset for backbones that ship their own
     */
    public static FrBackbone create(String id, Path weightsOrNull) {
        if (id == null) {
            throw new IllegalArgumentException("FR backbone id is missing; known: " + KNOWN);
        }
        if (FaceModels.supports(id)) {
            // TF.js face models from the assets fetched by bin/setup; they carry their own weights.
            if (weightsOrNull != null) {
                throw new IllegalArgumentException(
                        "FR backbone '"
                                + id
                                + "' loads its own weights from the assets; frWeights must be empty");
            }
            return FaceModels.fr(id);
        }
        if (!KNOWN.contains(id)) {
            throw new IllegalArgumentException("Unknown FR backbone '" + id + "'; known: " + KNOWN);
        }
        return EfficientNetFrBackbone.create(EfficientNet.Variant.of(id), weightsOrNull);
    }
}
