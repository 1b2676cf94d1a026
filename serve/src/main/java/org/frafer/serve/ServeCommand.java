package org.frafer.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fra-fer serve}: the REST API and the web page (upload and webcam) on an embedded Jetty
 * (Javalin).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serves the model over HTTP: POST /api/v1/emotions (an image as raw bytes or multipart field 'image'; the JSON of "
                    + "predict --format jsonl), GET /api/v1/model, /healthz, /readyz, /metrics (Prometheus), /api/v1/openapi.json, "
                    + "and a web page at / (photo upload and live webcam).",
            "Faces of concurrent requests are classified in shared batches. SIGTERM (Ctrl-C) lets admitted requests finish.",
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped cleanly", "2:bad usage, no model, or the port is taken"})
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Interface to listen on (0.0.0.0 for all). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model folder (config.json + model.safetensors). Default: FRAFER_MODEL or models/default/.")
    Path model;

    @Option(
            names = "--detector",
            paramLabel = "VARIANT",
            defaultValue = "back",
            description =
                    "BlazeFace variant: back (small/distant faces) or front (close-ups). Default: ${DEFAULT-VALUE}.")
    String detector;

    @Option(
            names = "--min-face-score",
            paramLabel = "P",
            defaultValue = "0.5",
            description = "Ignore detections scoring lower. Default: ${DEFAULT-VALUE}.")
    float minFaceScore;

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description =
                    "Require the key in this file (first line) in the X-API-Key header of /api/v1/* requests (401 without it).")
    Path apiKeyFile;

    @Option(
            names = "--max-upload",
            paramLabel = "BYTES",
            defaultValue = "10485760",
            description = "Largest request body (413 beyond). Default: ${DEFAULT-VALUE}.")
    long maxUpload;

    @Option(
            names = "--max-pixels",
            paramLabel = "N",
            defaultValue = "40000000",
            description =
                    "Largest image, width x height, checked before decoding (413 beyond). Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(
            names = "--timeout",
            paramLabel = "MS",
            defaultValue = "10000",
            description = "Request timeout (503 with Retry-After). Default: ${DEFAULT-VALUE}.")
    long timeoutMillis;

    @Option(
            names = "--queue",
            paramLabel = "N",
            defaultValue = "32",
            description =
                    "Image requests in progress at once; more get 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "16",
            description = "Faces per shared network pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--batch-wait",
            paramLabel = "MS",
            defaultValue = "5",
            description =
                    "How long a network pass waits for faces of other requests. Default: ${DEFAULT-VALUE}.")
    long batchWait;

    @Option(
            names = "--batching",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Classify faces of concurrent requests together (--no-batching: one request per pass). Default: on.")
    boolean batching;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ServiceSettings s = new ServiceSettings();
        s.host = host;
        s.port = port;
        s.maxUploadBytes = maxUpload;
        s.maxPixels = maxPixels;
        s.requestTimeoutMillis = timeoutMillis;
        s.queueCapacity = queue;
        s.maxBatch = batchSize;
        s.maxBatchWaitMillis = batchWait;
        s.batching = batching;
        try {
            if (apiKeyFile != null) {
                s.apiKey = readKey(apiKeyFile);
            }
            s.validate();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        EmotionRecognizer recognizer;
        Path dir;
        try {
            dir = model != null ? DefaultModel.check(model) : DefaultModel.locate();
            recognizer =
                    EmotionRecognizer.builder()
                            .model(dir)
                            .detectorVariant(detector)
                            .minFaceScore(minFaceScore)
                            .maxPixels(maxPixels)
                            .batchSize(batchSize)
                            .build();
        } catch (RuntimeException e) {
            err.println("error: cannot load the model: " + e.getMessage());
            err.flush();
            return 2;
        }
        EmotionService service = new EmotionService(recognizer, modelId(dir), s);
        int bound;
        try {
            bound = service.start();
        } catch (RuntimeException e) {
            err.println("error: cannot listen on " + host + ":" + port + ": " + rootMessage(e));
            err.flush();
            service.close();
            recognizer.close();
            return 2;
        }
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    service.close(); // drains admitted requests
                                    recognizer.close();
                                },
                                "frafer-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "serving %s on http://%s:%d/ (API: /api/v1/emotions, docs: /api/v1/openapi.json); Ctrl-C stops%n",
                modelId(dir), host.contains(":") ? "[" + host + "]" : host, bound);
        out.flush();
        service.awaitStopped();
        return 0;
    }

    /** The first line of the key file, trimmed; a clear message when it is missing or empty. */
    static String readKey(Path file) {
        try {
            String key =
                    Files.readString(file, StandardCharsets.UTF_8)
                            .lines()
                            .findFirst()
                            .orElse("")
                            .trim();
            if (key.isEmpty()) {
                throw new IllegalArgumentException(file + ": the API key file is empty");
            }
            return key;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file + ": cannot read the API key file (" + e.getMessage() + ")");
        }
    }

    /**
     * "folder@sha256:first 12 hex digits of the weights": names the exact weights a prediction came
     * from.
     */
    static String modelId(Path dir) {
        try (InputStream in = Files.newInputStream(dir.resolve(DefaultModel.WEIGHTS))) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            Path name = dir.toAbsolutePath().normalize().getFileName();
            return (name == null ? "model" : name.toString())
                    + "@sha256:"
                    + HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(
                    "cannot read the model weights in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /**
     * Runs the command on its own (until the CLI registers it: {@code java -cp ...
     * org.frafer.serve.ServeCommand}).
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
