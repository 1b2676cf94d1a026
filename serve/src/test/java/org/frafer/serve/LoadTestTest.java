package org.frafer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short, bounded run of the load test (3 clients x 3 s): its report adds up and nothing fails.
 */
class LoadTestTest {
    @Test
    void shortRunReportsConsistentFiguresAndNoErrors() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.maxBatchWaitMillis = 20;
        try (EmotionService svc = ServiceFixture.start(s)) {
            Path notImage = Files.createTempFile("frafer-load", ".jpg");
            try {
                Files.writeString(notImage, "this is not a photo");
                // two photos and one non-image: the 422s must be counted as errors (not hidden)
                LoadTest.Report r =
                        LoadTest.run(
                                svc,
                                List.of(
                                        ServiceFixture.sample(1),
                                        ServiceFixture.sample(2),
                                        notImage),
                                3,
                                Duration.ofSeconds(3));
                assertTrue(r.ok() >= 1, r.format("short"));
                assertTrue(r.byStatus().getOrDefault(422, 0L) >= 1, r.format("short"));
                assertEquals(r.byStatus().getOrDefault(422, 0L), r.errors(), r.format("short"));
                assertTrue(
                        r.p50() > 0
                                && r.p50() <= r.p95()
                                && r.p95() <= r.p99()
                                && r.p99() <= r.max(),
                        r.format("short"));
                assertEquals(
                        r.faces(),
                        r.passFaces(),
                        "every face answered went through a counted network pass: "
                                + r.format("short"));
                assertTrue(r.passes() >= 1 && r.passes() <= r.faces(), r.format("short"));
                assertTrue(r.peakRssKb() > 0, "peak RSS read from /proc");
            } finally {
                Files.deleteIfExists(notImage);
            }
        }
    }
}
