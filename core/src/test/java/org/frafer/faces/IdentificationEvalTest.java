package org.frafer.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.frafer.Assets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("realdata")
class IdentificationEvalTest {

    @Test
    void identitiesAndImagesInNaturalOrder(@TempDir Path root) throws Exception {
        for (String p : List.of("s10", "s2", ".hidden")) {
            Files.createDirectories(root.resolve(p));
            for (String f : List.of("10.pgm", "2.pgm", "1.pgm", "notes.txt")) {
                Files.writeString(root.resolve(p).resolve(f), "x");
            }
        }
        List<List<Path>> ids = IdentificationEval.listIdentities(root, 0);
        assertEquals(2, ids.size());
        assertEquals("s2", ids.get(0).get(0).getParent().getFileName().toString());
        assertEquals(
                List.of("1.pgm", "2.pgm", "10.pgm"),
                ids.get(0).stream().map(p -> p.getFileName().toString()).toList());
    }

    /**
     * Real-world check of the FaceRes import and preprocessing: ORL, first 8 people (a subset keeps
     * the test short).
     */
    @Test
    void hseFaceResIdentifiesOrlFaces() throws Exception {
        FaceFixtures.assumeModels();
        Path data = Assets.dataRoot();
        Assumptions.assumeTrue(
                data != null && Files.isDirectory(data.resolve("orl_faces")),
                "ORL data absent: set FRAFER_DATA (or -Dfrafer.data) to the shared data root");
        try (FrBackbone fr = FaceModels.fr("hse-faceres")) {
            IdentificationEval.Result r =
                    IdentificationEval.run(data.resolve("orl_faces"), fr, 5, 8, 40);
            System.out.printf(
                    "ORL (8 people) hse-faceres rank-1 = %.3f (%d/%d) in %.1f s%n",
                    r.rank1(), r.correct(), r.probes(), r.seconds());
            assertEquals(40, r.probes());
            assertTrue(r.rank1() >= 0.9, "rank-1 " + r.rank1());
        }
    }
}
