package org.frafer.serve;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.frafer.Assets;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;

/**
 * One recognizer per test JVM (loading it takes seconds), and services started on an ephemeral
 * loopback port.
 */
final class ServiceFixture {
    private static EmotionRecognizer recognizer;
    private static String modelId;

    private ServiceFixture() {}

    /**
     * Skips the calling test (with the reason) when the face models or sample photos are not
     * fetched.
     */
    static synchronized EmotionRecognizer recognizer() {
        assumeTrue(
                Assets.present("human-models/models/blazeface-back.json")
                        && Files.isRegularFile(sample(1)),
                "face models / sample photos not fetched (run bin/setup): skipping the service tests");
        if (recognizer == null) {
            Path dir = DefaultModel.locate();
            recognizer = EmotionRecognizer.builder().model(dir).batchSize(16).build();
            modelId = ServeCommand.modelId(dir);
        }
        return recognizer;
    }

    static String modelId() {
        recognizer();
        return modelId;
    }

    static Path sample(int i) {
        return Assets.root().resolve("samples/sample" + i + ".jpg");
    }

    /** Loopback, any free port, short timeouts suitable for tests. */
    static ServiceSettings settings() {
        ServiceSettings s = new ServiceSettings();
        s.host = "127.0.0.1";
        s.port = 0;
        s.requestTimeoutMillis = 30_000;
        s.drainTimeoutMillis = 30_000;
        return s;
    }

    static EmotionService start(ServiceSettings s) {
        EmotionService service = new EmotionService(recognizer(), modelId(), s);
        service.start();
        return service;
    }
}
