package org.frafer.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The package layers, bottom to top. A class may import classes of its own layer's packages and of
 * layers below, never of a layer above; no two packages may import each other, even through others
 * (no cycles). Every package of org.frafer must belong to a layer, so a new package is placed on
 * purpose. Documented in DEVELOPERS.md.
 *
 * <p>Each Maven module runs these rules over what it sees ({@code ArchitectureTest} in core and
 * cli); a new module (serve, video, spark) adds the same three-line test.
 */
public final class Architecture {
    private Architecture() {}

    /** Layer name and its packages (ArchUnit package patterns), from the bottom up. */
    private static final String[][] LAYERS = {
        // shared ops and files: no dependency on anything else of ours
        {"base", "org.frafer", "org.frafer.io..", "org.frafer.nn.."},
        // image decoding, face preprocessing, datasets, batches, class names
        {"data", "org.frafer.data.."},
        // TF.js graph models run as DJL blocks
        {"tfjs", "org.frafer.tfjs.."},
        // face detection, crops, FR backbones, face model registry
        {"faces", "org.frafer.faces.."},
        // fusions between the FR and FER branches (FRA, SE variants, concat)
        {"fusion", "org.frafer.model.fusion.."},
        // FER backbones, the FRA-FER network, model config and files
        {"model", "org.frafer.model", "org.frafer.model.internal..", "org.frafer.backbones.."},
        {"eval", "org.frafer.eval.."},
        {"train", "org.frafer.train.."},
        // the public recognizer API and the photo pipeline; person profiles build on it
        {"infer", "org.frafer.infer.."},
        {"persons", "org.frafer.persons.."},
        // applications: each depends on the library only
        {
            "apps",
            "org.frafer.bench..",
            "org.frafer.serve..",
            "org.frafer.video..",
            "org.frafer.spark.."
        },
        // the command line registers the applications' commands
        {"cli", "org.frafer.cli.."},
    };

    /** Imports point downward only. */
    public static ArchRule layersPointDown() {
        Architectures.LayeredArchitecture arch =
                Architectures.layeredArchitecture()
                        .consideringOnlyDependenciesInLayers()
                        .withOptionalLayers(true);
        for (String[] layer : LAYERS) {
            arch = arch.layer(layer[0]).definedBy(Arrays.copyOfRange(layer, 1, layer.length));
        }
        for (int i = 0; i < LAYERS.length - 1; i++) {
            List<String> above = new ArrayList<>();
            for (int j = i + 1; j < LAYERS.length; j++) {
                above.add(LAYERS[j][0]);
            }
            arch =
                    arch.whereLayer(LAYERS[i][0])
                            .mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
        }
        return arch.whereLayer(LAYERS[LAYERS.length - 1][0])
                .mayNotBeAccessedByAnyLayer()
                .because("imports point down the layers listed in DEVELOPERS.md");
    }

    /** No package cycles, counting every package (sub-packages on their own). */
    public static ArchRule noPackageCycles() {
        return slices().matching("org.frafer.(**)").should().beFreeOfCycles();
    }

    /** Every class lives in a package that belongs to a layer. */
    public static ArchRule everyPackageHasALayer() {
        List<String> all = new ArrayList<>();
        for (String[] layer : LAYERS) {
            all.addAll(Arrays.asList(layer).subList(1, layer.length));
        }
        return classes()
                .should()
                .resideInAnyPackage(all.toArray(String[]::new))
                .because(
                        "a new package gets a layer in org.frafer.testing.Architecture and DEVELOPERS.md");
    }

    /**
     * Main code only: no test classes, whether from a test-classes folder or a tests jar of another
     * module.
     */
    public static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return new DoNotIncludeTests().includes(location) && !location.contains("-tests.jar");
        }
    }
}
