package org.frafer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PerformanceBenchTest {
    /**
     * The peers run in their scripts' directories, so a relative --python (as docs/performance.md
     * writes it) must be resolved against the caller's directory: it used to fail with "Cannot run
     * program" inside tools/bench.
     */
    @Test
    void relativePythonIsResolvedAgainstTheCallersDirectory() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        // the repository root holds tools/; the test runs in the cli module's folder below it
        Path repo = Path.of(System.getProperty("frafer.repo", "..")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory(cwd.resolve("target"), "fake-python");
        try {
            Path fake = dir.resolve("python");
            // stands in for a Python with torch + timm: answers the version probe and any later
            // call
            Files.writeString(fake, "#!/bin/sh\necho 2.7.1 1.0.15\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
            PerformanceBench bench = new PerformanceBench();
            bench.python = cwd.relativize(fake); // e.g. target/fake-python123/python
            PerformanceBench.PeerSetup setup = bench.torchSetup(repo);
            assertTrue(setup.available(), setup.why());
            assertEquals(fake.toString(), setup.executable());
            // and it starts from the script's directory, where the peer really runs
            PeerProcess.Result r =
                    PeerProcess.run(
                            List.of(setup.executable(), "x.py"),
                            setup.script().getParent(),
                            Map.of(),
                            30);
            assertTrue(r.ok(), r.errorSummary());
            assertEquals(List.of("2.7.1 1.0.15"), r.stdout());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void bareExecutableNamesStayForPathLookup() {
        assertEquals("node", PerformanceBench.executable("node"));
        assertEquals(
                Path.of("").toAbsolutePath().resolve("tools/node/bin/node").toString(),
                PerformanceBench.executable("tools/node/bin/node"));
        assertEquals("/usr/bin/node", PerformanceBench.executable("/usr/bin/node"));
    }
}
