package org.frafer.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ServerConnector;
import org.frafer.data.ImageReadException;
import org.frafer.data.ImageTooLargeException;
import org.frafer.data.Images;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.FaceExplanation;
import org.frafer.infer.FloatTensor;
import org.frafer.infer.ImageResult;
import org.frafer.infer.ResultJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service: {@code POST /api/v1/emotions} (an image as raw bytes or multipart, answered
 * with the JSON of {@code predict --format jsonl}), the model's description, health, readiness,
 * Prometheus metrics, the OpenAPI document and the web page, with the limits of {@link
 * ServiceSettings}. Answers never carry stack traces or file paths: failures are one JSON line
 * {@code {"status": code, "error": message}}.
 */
public final class EmotionService implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    static final String EMOTIONS = "/api/v1/emotions";
    static final String MODEL = "/api/v1/model";
    static final String OPENAPI = "/api/v1/openapi.json";
    private static final String WEB = "/org/frafer/serve/web/";
    private static final Logger LOG = LoggerFactory.getLogger(EmotionService.class);

    /** A refusal with its HTTP status, the metrics reason and a message for the client. */
    static final class ApiError extends RuntimeException {
        final int status;
        final String reason;

        ApiError(int status, String reason, String message) {
            super(message, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }

    private final EmotionRecognizer recognizer;
    private final String modelId;
    private final ServiceSettings settings;
    private final ServiceMetrics metrics = new ServiceMetrics();
    private final ObjectMapper mapper = new ObjectMapper();
    private final Semaphore admitted;
    private final FaceBatcher batcher;
    private final Path uploads;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean draining;
    private Javalin app;

    /**
     * @param recognizer shared by all requests (not closed here)
     * @param modelId answered with every prediction and by {@code /api/v1/model}
     */
    public EmotionService(EmotionRecognizer recognizer, String modelId, ServiceSettings settings) {
        this.recognizer = recognizer;
        this.modelId = modelId;
        this.settings = settings.validate();
        this.admitted = new Semaphore(settings.queueCapacity);
        // Without batching the same thread still runs the network, one request per pass, so an A/B
        // of the two
        // measures batching alone, not also which threads call libtorch.
        this.batcher =
                settings.batching
                        ? new FaceBatcher(
                                recognizer::classify,
                                settings.queueCapacity,
                                settings.maxBatch,
                                settings.maxBatchWaitMillis,
                                metrics)
                        : new FaceBatcher(
                                recognizer::classify, settings.queueCapacity, 1, 0, metrics);
        metrics.gauges(batcher::queued, this::inFlight);
        try {
            this.uploads = Files.createTempDirectory("frafer-serve");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for uploads", e);
        }
    }

    /** Starts listening; returns the port (the chosen one when settings.port is 0). */
    public synchronized int start() {
        app =
                Javalin.create(
                        config -> {
                            config.startup.showJavalinBanner = false;
                            config.startup.showOldJavalinVersionWarning = false;
                            config.jetty.host = settings.host;
                            config.jetty.port = settings.port;
                            config.routes.before(ctx -> ctx.attribute("t0", System.nanoTime()));
                            config.routes.before("/api/v1/*", this::checkApiKey);
                            config.routes.after(
                                    ctx -> {
                                        Long t0 = ctx.attribute("t0");
                                        if (t0 != null) {
                                            metrics.request(
                                                    routeOf(ctx),
                                                    ctx.statusCode(),
                                                    (System.nanoTime() - t0) / 1e9);
                                        }
                                    });
                            config.routes.get(
                                    "/",
                                    ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
                            config.routes.get(
                                    "/app.js",
                                    ctx ->
                                            resource(
                                                    ctx,
                                                    "app.js",
                                                    "text/javascript; charset=utf-8"));
                            config.routes.get(
                                    "/style.css",
                                    ctx -> resource(ctx, "style.css", "text/css; charset=utf-8"));
                            config.routes.get(
                                    "/healthz",
                                    ctx ->
                                            ctx.contentType("application/json")
                                                    .result("{\"status\":\"ok\"}"));
                            config.routes.get(
                                    "/readyz",
                                    ctx -> {
                                        boolean ready = !draining;
                                        ctx.status(ready ? 200 : 503)
                                                .contentType("application/json")
                                                .result(
                                                        ready
                                                                ? "{\"status\":\"ready\"}"
                                                                : "{\"status\":\"draining\"}");
                                    });
                            config.routes.get(
                                    "/metrics",
                                    ctx ->
                                            ctx.contentType(
                                                            "text/plain; version=0.0.4; charset=utf-8")
                                                    .result(metrics.scrape()));
                            config.routes.get(
                                    OPENAPI,
                                    ctx -> resource(ctx, "openapi.json", "application/json"));
                            config.routes.get(MODEL, ctx -> json(ctx, modelJson()));
                            config.routes.post(EMOTIONS, this::emotions);
                            config.routes.exception(ApiError.class, (e, ctx) -> fail(ctx, e));
                            config.routes.exception(
                                    Exception.class,
                                    (e, ctx) -> {
                                        LOG.error(
                                                "request {} {} failed",
                                                ctx.method(),
                                                ctx.path(),
                                                e); // the server log gets the trace, the client
                                        // does not
                                        fail(
                                                ctx,
                                                new ApiError(
                                                        500,
                                                        "internal",
                                                        "internal error; see the server log"));
                                    });
                            config.routes.error(
                                    404,
                                    ctx -> {
                                        if (ctx.attribute("answered") == null) {
                                            fail(
                                                    ctx,
                                                    new ApiError(
                                                            404,
                                                            "not_found",
                                                            "no such endpoint: "
                                                                    + ctx.method()
                                                                    + " "
                                                                    + ctx.path()));
                                        }
                                    });
                            config.routes.error(
                                    405,
                                    ctx -> {
                                        if (ctx.attribute("answered") == null) {
                                            fail(
                                                    ctx,
                                                    new ApiError(
                                                            405,
                                                            "method_not_allowed",
                                                            "method "
                                                                    + ctx.method()
                                                                    + " not allowed on "
                                                                    + ctx.path()));
                                        }
                                    });
                            config.http.prefer405over404 = true;
                        });
        app.start();
        for (var c : app.jettyServer().server().getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.setIdleTimeout(
                        settings.idleTimeoutMillis); // a stalled body fails the read after this
                // long
            }
        }
        return app.port();
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** The port listened on (after {@link #start}). */
    public int port() {
        return app.port();
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    /** Image requests admitted and not yet answered. */
    public int inFlight() {
        return settings.queueCapacity - admitted.availablePermits();
    }

    /**
     * Clean shutdown (SIGTERM): readiness turns 503 and new image requests are refused with 503,
     * the admitted ones finish (up to the drain timeout), then the server and the batcher stop.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            long until =
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.drainTimeoutMillis);
            while (inFlight() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            if (inFlight() > 0) {
                LOG.warn(
                        "{} request(s) still running after the drain timeout of {} ms",
                        inFlight(),
                        settings.drainTimeoutMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (app != null) {
                app.stop();
            }
            batcher.close();
            deleteUploads();
            stopped.countDown();
        }
    }

    // ---------------------------------------------------------------- POST /api/v1/emotions

    private void emotions(Context ctx) throws IOException {
        long deadline =
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMillis);
        long declared = ctx.req().getContentLengthLong();
        if (declared > settings.maxUploadBytes) {
            throw tooLarge(declared);
        }
        if (!admitted.tryAcquire()) {
            throw unavailable(
                    "queue_full",
                    "the service is busy ("
                            + settings.queueCapacity
                            + " requests in progress); retry later");
        }
        Path file = null;
        try {
            // checked after admission, so close() either sees this request in flight or this
            // request sees draining
            if (draining) {
                throw unavailable("shutting_down", "the service is shutting down");
            }
            long t = System.nanoTime();
            byte[] body = readBody(ctx);
            Upload up = upload(ctx, body);
            t = stage("read", t);
            file = Files.createTempFile(uploads, "upload", ".img");
            Files.write(file, up.bytes);
            BufferedImage image = decode(file, up.name);
            t = stage("decode", t);
            boolean explain =
                    "true".equalsIgnoreCase(ctx.queryParam("explain"))
                            || "1".equals(ctx.queryParam("explain"));
            List<FaceCrop> crops = recognizer.faces(image);
            t = stage("detect", t);
            checkDeadline(deadline);
            List<FaceEmotion> faces;
            List<FaceExplanation> explanations = null;
            if (crops.isEmpty()) {
                faces = List.of();
            } else if (explain) {
                explanations = recognizer.explain(crops);
                metrics.batch(crops.size());
                faces = explanations.stream().map(FaceExplanation::emotion).toList();
            } else {
                faces = classifyBatched(crops, deadline);
            }
            stage(explain ? "explain" : "classify", t);
            ObjectNode o =
                    ResultJson.of(
                            mapper,
                            new ImageResult(
                                    Path.of(up.name),
                                    image.getWidth(),
                                    image.getHeight(),
                                    faces,
                                    null));
            o.put("model", modelId);
            if (explanations != null) {
                ArrayNode fs = (ArrayNode) o.get("faces");
                for (int i = 0; i < explanations.size(); i++) {
                    ((ObjectNode) fs.get(i)).set("explain", explainJson(explanations.get(i)));
                }
            }
            json(ctx, o);
        } finally {
            if (file != null) {
                Files.deleteIfExists(file);
            }
            admitted.release();
        }
    }

    /** Records the time since t under the stage name; returns now. */
    private long stage(String name, long t) {
        long now = System.nanoTime();
        metrics.stage(name, (now - t) / 1e9);
        return now;
    }

    private List<FaceEmotion> classifyBatched(List<FaceCrop> crops, long deadline) {
        CompletableFuture<List<FaceEmotion>> f;
        try {
            f = batcher.submit(crops, deadline);
        } catch (FaceBatcher.QueueFullException e) {
            throw unavailable("queue_full", e.getMessage() + "; retry later");
        } catch (IllegalStateException e) {
            throw unavailable("shutting_down", "the service is shutting down");
        }
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw timeout();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("shutting_down", "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw timeout();
            }
            throw new IllegalStateException("classification failed", e.getCause());
        }
    }

    private void checkDeadline(long deadline) {
        if (System.nanoTime() - deadline > 0) {
            throw timeout();
        }
    }

    private ApiError timeout() {
        return unavailable(
                "timeout",
                "the request took longer than the timeout of "
                        + settings.requestTimeoutMillis
                        + " ms; retry later");
    }

    private ApiError unavailable(String reason, String message) {
        return new ApiError(503, reason, message);
    }

    private ApiError tooLarge(long bytes) {
        return new ApiError(
                413,
                "too_large",
                String.format(
                        Locale.ROOT,
                        "the body is %s bytes, more than the limit of %,d bytes",
                        bytes < 0 ? "more than that" : String.format(Locale.ROOT, "%,d", bytes),
                        settings.maxUploadBytes));
    }

    /** The body, at most maxUploadBytes, within the body timeout however slowly it trickles in. */
    private byte[] readBody(Context ctx) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.bodyTimeoutMillis);
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(
                        (int)
                                Math.min(
                                        Math.max(ctx.req().getContentLengthLong(), 1024),
                                        settings.maxUploadBytes));
        byte[] buf = new byte[16384];
        try (InputStream in = ctx.req().getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                if (out.size() > settings.maxUploadBytes) {
                    throw tooLarge(-1);
                }
                if (System.nanoTime() - until > 0) {
                    throw new ApiError(
                            408,
                            "body_timeout",
                            "the request body did not arrive within "
                                    + settings.bodyTimeoutMillis
                                    + " ms");
                }
            }
        } catch (IOException e) {
            if (isTimeout(e)) {
                throw new ApiError(
                        408,
                        "body_timeout",
                        "the request body stalled for more than "
                                + settings.idleTimeoutMillis
                                + " ms");
            }
            // the client went away (or sent a broken chunked body): nobody will read an answer
            throw new ApiError(400, "client_abort", "the request body was cut off");
        }
        if (out.size() == 0) {
            throw new ApiError(
                    400,
                    "empty",
                    "the request body is empty: send an image (raw bytes, or multipart field 'image')");
        }
        return out.toByteArray();
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private record Upload(String name, byte[] bytes) {}

    /**
     * The image bytes and a display name: the multipart part 'image' (or the first file part), else
     * the raw body.
     */
    private Upload upload(Context ctx, byte[] body) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/")) {
            return new Upload(displayName(ctx.queryParam("name")), body);
        }
        String boundary = MultiPart.extractBoundary(ctx.contentType());
        if (boundary == null || boundary.isEmpty()) {
            throw new ApiError(
                    400,
                    "bad_multipart",
                    "malformed multipart body: no boundary in the Content-Type");
        }
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.setMaxMemoryFileSize(settings.maxUploadBytes);
        parser.setMaxLength(settings.maxUploadBytes);
        parser.setMaxParts(16);
        parser.setFilesDirectory(uploads);
        try (MultiPartFormData.Parts parts =
                parser.parse(Content.Source.from(ByteBuffer.wrap(body)))
                        .get(settings.bodyTimeoutMillis, TimeUnit.MILLISECONDS)) {
            MultiPart.Part part = parts.getFirst("image");
            if (part == null) {
                for (MultiPart.Part p : parts) {
                    if (p.getFileName() != null) {
                        part = p;
                        break;
                    }
                }
            }
            if (part == null) {
                throw new ApiError(
                        400,
                        "bad_multipart",
                        "the multipart body has no file part (send the image in the field 'image')");
            }
            String name = displayName(part.getFileName());
            ByteBuffer content = Content.Source.asByteBuffer(part.createContentSource());
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            if (bytes.length == 0) {
                throw new ApiError(
                        400, "empty", "the multipart part '" + part.getName() + "' is empty");
            }
            return new Upload(name, bytes);
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            if (e instanceof ApiError a) {
                throw a;
            }
            LOG.debug("malformed multipart body", e);
            throw new ApiError(
                    400,
                    "bad_multipart",
                    "malformed multipart body"
                            + (e.getCause() != null && e.getCause().getMessage() != null
                                    ? " (" + e.getCause().getMessage() + ")"
                                    : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "shutting_down", "interrupted");
        }
    }

    /**
     * The client's file name without any folder part or control characters, for the answer's "file"
     * field.
     */
    static String displayName(String raw) {
        if (raw == null) {
            return "upload";
        }
        String n = raw.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}]", "").trim();
        if (n.length() > 100) {
            n = n.substring(n.length() - 100);
        }
        return n.isEmpty() || n.equals(".") || n.equals("..") ? "upload" : n;
    }

    private BufferedImage decode(Path file, String name) {
        try {
            return Images.read(file, settings.maxPixels);
        } catch (ImageTooLargeException e) {
            throw new ApiError(413, "too_many_pixels", name + ": " + reason(e));
        } catch (ImageReadException e) {
            throw new ApiError(422, "bad_image", name + ": " + reason(e));
        }
    }

    /** The decoder's reason without the temporary path and without the command-line hints. */
    private static String reason(ImageReadException e) {
        String m = e.getMessage();
        String prefix = e.path() + ": ";
        if (m.startsWith(prefix)) {
            m = m.substring(prefix.length());
        }
        int hint = m.indexOf("; raise it");
        return (hint >= 0 ? m.substring(0, hint) : m).replace(e.path().toString(), "upload");
    }

    // ---------------------------------------------------------------- other answers

    private void checkApiKey(Context ctx) {
        if (settings.apiKey == null || ctx.path().equals(OPENAPI)) {
            return;
        }
        String given = ctx.header("X-API-Key");
        String auth = ctx.header("Authorization");
        if (given == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = auth.substring(7).trim();
        }
        if (given == null
                || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8),
                        settings.apiKey.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            discardBody(ctx);
            throw new ApiError(
                    401,
                    "unauthorized",
                    given == null
                            ? "an API key is required: send it in the X-API-Key header"
                            : "the API key is not valid");
        }
    }

    /**
     * Reads and drops a refused request's body when it is within the upload limit: answering before
     * the client has sent it makes Jetty close the connection, and a client still uploading then
     * sees a reset instead of the answer.
     */
    private void discardBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length <= 0 || length > settings.maxUploadBytes) {
            return;
        }
        try {
            ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            // the client went away: nothing left to answer
        }
    }

    ObjectNode modelJson() {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", modelId);
        o.put("version", VERSION);
        o.put("arch", recognizer.config().arch);
        o.put("fusion", recognizer.config().fusion);
        o.put("frBackbone", recognizer.config().frBackbone);
        o.put("inputSize", recognizer.inputSize());
        ArrayNode c = o.putArray("classes");
        recognizer.classes().forEach(c::add);
        o.put("detector", recognizer.options().detector());
        o.put("minFaceScore", recognizer.options().minFaceScore());
        ObjectNode lim = o.putObject("limits");
        lim.put("maxUploadBytes", settings.maxUploadBytes);
        lim.put("maxPixels", settings.maxPixels);
        lim.put("requestTimeoutMillis", settings.requestTimeoutMillis);
        lim.put("queueCapacity", settings.queueCapacity);
        lim.put("batching", settings.batching);
        lim.put("maxBatch", settings.maxBatch);
        lim.put("maxBatchWaitMillis", settings.maxBatchWaitMillis);
        return o;
    }

    /**
     * Attention map S and channel means of the FER maps before/after the fusion, each {shape,
     * data}; null parts omitted.
     */
    private ObjectNode explainJson(FaceExplanation e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("fusion", e.fusion());
        putMap(o, "attention", e.attention() == null ? null : e.attention().channelMean());
        putMap(
                o,
                "featureBefore",
                e.featureBefore() == null ? null : e.featureBefore().channelMean());
        putMap(o, "featureAfter", e.featureAfter() == null ? null : e.featureAfter().channelMean());
        return o;
    }

    private static void putMap(ObjectNode o, String name, FloatTensor t) {
        if (t == null) {
            o.putNull(name);
            return;
        }
        ObjectNode m = o.putObject(name);
        ArrayNode shape = m.putArray("shape");
        for (long d : t.shape()) {
            shape.add(d);
        }
        ArrayNode data = m.putArray("data");
        for (float v : t.data()) {
            data.add(v);
        }
    }

    private void json(Context ctx, ObjectNode o) throws IOException {
        ctx.contentType("application/json").result(mapper.writeValueAsString(o));
    }

    private void fail(Context ctx, ApiError e) {
        metrics.error(e.reason);
        if (e.status == 503) {
            ctx.header("Retry-After", Integer.toString(settings.retryAfterSeconds));
        }
        ObjectNode o = mapper.createObjectNode();
        o.put("status", e.status);
        o.put("error", e.getMessage());
        ctx.attribute("answered", true);
        ctx.status(e.status).contentType("application/json").result(o.toString());
    }

    private static String routeOf(Context ctx) {
        String p = ctx.path();
        return switch (p) {
            case EMOTIONS,
                    MODEL,
                    OPENAPI,
                    "/healthz",
                    "/readyz",
                    "/metrics",
                    "/",
                    "/app.js",
                    "/style.css" ->
                    p;
            default -> "other";
        };
    }

    private static void resource(Context ctx, String name, String type) throws IOException {
        try (InputStream in = EmotionService.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new ApiError(404, "not_found", "no such resource: " + name);
            }
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private void deleteUploads() {
        try (Stream<Path> s = Files.walk(uploads)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot delete the upload folder: {}", e.getMessage());
        }
    }
}
