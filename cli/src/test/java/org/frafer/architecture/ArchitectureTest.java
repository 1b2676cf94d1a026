package org.frafer.architecture;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.frafer.testing.Architecture;
import org.junit.jupiter.api.Tag;

/**
 * The layer and cycle rules of {@link Architecture} over the cli module's main classes (and what it
 * depends on).
 */
@Tag("unit")
@AnalyzeClasses(packages = "org.frafer", importOptions = Architecture.MainClassesOnly.class)
class ArchitectureTest {
    @ArchTest static final ArchRule layersPointDown = Architecture.layersPointDown();

    @ArchTest static final ArchRule noPackageCycles = Architecture.noPackageCycles();

    @ArchTest static final ArchRule everyPackageHasALayer = Architecture.everyPackageHasALayer();
}
