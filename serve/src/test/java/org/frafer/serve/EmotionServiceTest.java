package org.frafer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.frafer.infer.ImageResult;
import org.frafer.infer.ResultJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service over real HTTP on an ephemeral loopback port: every endpoint, every refusal, broken
 * clients, shutdown.
 */
class EmotionServiceTest {
    private static EmotionService service;
    private static int port;
    private static JsonNode openapi;
    private static byte[] photo;

    @BeforeAll
    static void start() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.maxPixels =
                3_000_000; // the samples are 1920 x ~1300 (2.5 MP); a 2000 x 2000 PNG goes over
        s.maxUploadBytes = 2_000_000;
        service = ServiceFixture.start(s);
        port = service.port();
        photo = Files.readAllBytes(ServiceFixture.sample(1));
        openapi =
                Http.JSON.readTree(
                        EmotionServiceTest.class.getResourceAsStream(
                                "/org/frafer/serve/web/openapi.json"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    // ---------------------------------------------------------------- schema check against the
    // OpenAPI document

    /**
     * Validates an answer against components.schemas[name] of the served OpenAPI document (JSON
     * Schema 2020-12).
     */
    static void assertMatchesSchema(String name, JsonNode answer) throws IOException {
        String defs =
                Http.JSON
                        .writeValueAsString(openapi.get("components").get("schemas"))
                        .replace("#/components/schemas/", "#/$defs/");
        ObjectNode root = Http.JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("$defs", Http.JSON.readTree(defs));
        root.put("$ref", "#/$defs/" + name);
        JsonSchema schema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
        Set<ValidationMessage> errors = schema.validate(answer);
        assertTrue(errors.isEmpty(), name + ": " + errors + "\n" + answer);
    }

    /** No stack trace, exception class or file path leaks into an answer. */
    static void assertClean(String body) {
        for (String bad :
                List.of("\tat ", "Exception", "/tmp", "/work", "/root", "frafer-serve", ".java")) {
            assertFalse(body.contains(bad), "answer leaks '" + bad + "': " + body);
        }
    }

    static void assertError(Http.Answer a, int status, String... words) throws IOException {
        assertEquals(status, a.status(), a.body());
        assertMatchesSchema("Error", a.json());
        assertEquals(status, a.json().get("status").asInt());
        for (String w : words) {
            assertTrue(
                    a.json().get("error").asText().contains(w),
                    "'" + w + "' missing in " + a.body());
        }
        assertClean(a.body());
    }

    // ---------------------------------------------------------------- endpoints

    @Test
    void emotionsAnswerIsPredictsJsonlObjectAndMatchesTheSchema() throws Exception {
        Http.Answer a = Http.post(port, "/api/v1/emotions?name=sample1.jpg", photo, "image/jpeg");
        assertEquals(200, a.status(), a.body());
        JsonNode got = a.json();
        assertMatchesSchema("EmotionResult", got);
        assertEquals(ServiceFixture.modelId(), got.get("model").asText());
        assertEquals("sample1.jpg", got.get("file").asText());
        // the same faces and probabilities as the library (what predict --format jsonl writes),
        // same field layout
        ImageResult lib =
                ServiceFixture.recognizer().predictAll(List.of(ServiceFixture.sample(1))).get(0);
        JsonNode want = ResultJson.of(Http.JSON, lib);
        assertTrue(lib.faces().size() >= 2, "sample1 has several faces");
        ((ObjectNode) got).remove("model");
        ((ObjectNode) got).put("file", want.get("file").asText());
        assertJsonClose(want, got, 1e-4, "");
    }

    /**
     * Same structure and strings; numbers within tol (faces may share a batch with other requests'
     * faces).
     */
    static void assertJsonClose(JsonNode want, JsonNode got, double tol, String at) {
        if (want.isNumber()) {
            assertTrue(
                    got.isNumber()
                            && Math.abs(want.asDouble() - got.asDouble())
                                    <= tol * Math.max(1, Math.abs(want.asDouble())),
                    at + ": " + want + " vs " + got);
            return;
        }
        assertEquals(want.getNodeType(), got.getNodeType(), at);
        if (want.isObject()) {
            assertEquals(iter(want.fieldNames()), iter(got.fieldNames()), at);
            want.fields()
                    .forEachRemaining(
                            e ->
                                    assertJsonClose(
                                            e.getValue(),
                                            got.get(e.getKey()),
                                            tol,
                                            at + "." + e.getKey()));
        } else if (want.isArray()) {
            assertEquals(want.size(), got.size(), at);
            for (int i = 0; i < want.size(); i++) {
                assertJsonClose(want.get(i), got.get(i), tol, at + "[" + i + "]");
            }
        } else {
            assertEquals(want, got, at);
        }
    }

    private static List<String> iter(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void multipartGivesTheSameFacesAsRawBytes() throws Exception {
        Object[] mp = Http.multipart("image", "../../secret/dir/sample1.jpg", photo);
        Http.Answer m = Http.post(port, "/api/v1/emotions", (byte[]) mp[1], (String) mp[0]);
        Http.Answer r = Http.post(port, "/api/v1/emotions", photo, "application/octet-stream");
        assertEquals(200, m.status(), m.body());
        assertMatchesSchema("EmotionResult", m.json());
        assertEquals(
                "sample1.jpg",
                m.json().get("file").asText(),
                "folders in the client's file name are dropped");
        assertEquals("upload", r.json().get("file").asText());
        assertJsonClose(r.json().get("faces"), m.json().get("faces"), 1e-4, "faces");
    }

    @Test
    void explainAddsMapsPerFace() throws Exception {
        Http.Answer a = Http.post(port, "/api/v1/emotions?explain=true", photo, "image/jpeg");
        assertEquals(200, a.status(), a.body());
        assertMatchesSchema("EmotionResult", a.json());
        for (JsonNode f : a.json().get("faces")) {
            JsonNode e = f.get("explain");
            assertNotNull(e, "explain missing");
            assertEquals(ServiceFixture.recognizer().config().fusion, e.get("fusion").asText());
            JsonNode before = e.get("featureBefore");
            assertTrue(before.isObject(), "the FER map before the fusion: " + e);
            long cells = 1;
            for (JsonNode d : before.get("shape")) {
                cells *= d.asLong();
            }
            assertEquals(cells, before.get("data").size(), "data length = product of the shape");
        }
    }

    @Test
    void modelHealthReadyOpenapiAndMetrics() throws Exception {
        Http.Answer m = Http.get(port, "/api/v1/model");
        assertEquals(200, m.status());
        assertMatchesSchema("Model", m.json());
        assertEquals(ServiceFixture.recognizer().classes().size(), m.json().get("classes").size());
        assertEquals(ServiceFixture.recognizer().inputSize(), m.json().get("inputSize").asInt());
        Http.Answer h = Http.get(port, "/healthz");
        assertEquals(200, h.status());
        assertMatchesSchema("Status", h.json());
        Http.Answer r = Http.get(port, "/readyz");
        assertEquals(200, r.status());
        assertEquals("ready", r.json().get("status").asText());
        Http.Answer o = Http.get(port, "/api/v1/openapi.json");
        assertEquals(200, o.status());
        assertEquals("3.1.0", o.json().get("openapi").asText());
        assertTrue(o.json().get("paths").has("/api/v1/emotions"));

        Http.post(port, "/api/v1/emotions", photo, "image/jpeg");
        Http.post(
                port,
                "/api/v1/emotions",
                "not an image".getBytes(StandardCharsets.UTF_8),
                "image/jpeg");
        Http.Answer p = Http.get(port, "/metrics");
        assertEquals(200, p.status());
        assertTrue(p.header("Content-Type").startsWith("text/plain"), p.header("Content-Type"));
        String text = p.body();
        for (String line : text.split("\n")) {
            assertTrue(
                    line.startsWith("# HELP ")
                            || line.startsWith("# TYPE ")
                            || line.matches(
                                    "[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.eE+-]+"),
                    "bad exposition line: " + line);
        }
        assertTrue(
                metric(text, "frafer_requests_total{route=\"/api/v1/emotions\",code=\"200\"}") >= 1,
                text);
        assertTrue(
                metric(text, "frafer_requests_total{route=\"/api/v1/emotions\",code=\"422\"}") >= 1,
                text);
        assertTrue(metric(text, "frafer_errors_total{reason=\"bad_image\"}") >= 1, text);
        assertTrue(metric(text, "frafer_batch_faces_count") >= 1, text);
        assertTrue(
                metric(text, "frafer_request_duration_seconds_count{route=\"/api/v1/emotions\"}")
                        >= 2,
                text);
        assertTrue(text.contains("frafer_queue_length "), text);
        for (String stage : List.of("read", "decode", "detect", "classify")) {
            assertTrue(
                    metric(text, "frafer_stage_duration_seconds_count{stage=\"" + stage + "\"}")
                            >= 1,
                    stage + "\n" + text);
        }
    }

    static double metric(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return -1;
    }

    @Test
    void servesThePageAndItsScriptFromTheJar() throws Exception {
        Http.Answer page = Http.get(port, "/");
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        assertTrue(page.body().contains("<script src=\"/app.js\">"));
        assertFalse(
                page.body().contains("http://") || page.body().contains("https://"),
                "the page must work offline: no external URL");
        Http.Answer js = Http.get(port, "/app.js");
        assertEquals(200, js.status());
        assertTrue(js.body().contains("getUserMedia"));
        assertFalse(js.body().contains("http://") || js.body().contains("https://"));
        assertEquals(200, Http.get(port, "/style.css").status());
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void notFoundAndWrongMethodAreJson() throws Exception {
        assertError(Http.get(port, "/api/v1/nothing"), 404, "no such endpoint");
        assertError(Http.get(port, "/api/v1/emotions"), 405, "not allowed");
    }

    @Test
    void emptyBodyNonImageAndCorruptImageAreRefusedWithTheReason() throws Exception {
        assertError(Http.post(port, "/api/v1/emotions", new byte[0], "image/jpeg"), 400, "empty");
        assertError(
                Http.post(
                        port,
                        "/api/v1/emotions?name=notes.txt",
                        "hello, this is text".getBytes(StandardCharsets.UTF_8),
                        "image/jpeg"),
                422,
                "notes.txt",
                "not an image");
        byte[] cut = Arrays.copyOf(photo, photo.length / 3);
        assertError(
                Http.post(port, "/api/v1/emotions?name=cut.jpg", cut, "image/jpeg"),
                422,
                "cut.jpg",
                "truncated");
    }

    @Test
    void malformedMultipartIsA400() throws Exception {
        assertError(
                Http.post(
                        port,
                        "/api/v1/emotions",
                        "--xyz\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc"
                                .getBytes(StandardCharsets.UTF_8),
                        "multipart/form-data; boundary=xyz"),
                400,
                "multipart");
        assertError(
                Http.post(
                        port,
                        "/api/v1/emotions",
                        "garbage".getBytes(StandardCharsets.UTF_8),
                        "multipart/form-data"),
                400,
                "boundary");
        String noFile =
                "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--b--\r\n";
        assertError(
                Http.post(
                        port,
                        "/api/v1/emotions",
                        noFile.getBytes(StandardCharsets.UTF_8),
                        "multipart/form-data; boundary=b"),
                400,
                "image");
    }

    @Test
    void tooLargeBodyIs413WithOrWithoutContentLength() throws Exception {
        byte[] big = new byte[2_500_000];
        assertError(Http.post(port, "/api/v1/emotions", big, "image/jpeg"), 413, "2,000,000 bytes");
        // chunked (no Content-Length): refused once the limit is crossed while reading
        HttpRequest chunked =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/emotions"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "image/jpeg")
                        .POST(
                                HttpRequest.BodyPublishers.ofInputStream(
                                        () -> new java.io.ByteArrayInputStream(big)))
                        .build();
        assertError(Http.send(chunked), 413, "2,000,000 bytes");
    }

    @Test
    void tooManyPixelsIs413BeforeDecoding() throws Exception {
        BufferedImage img =
                new BufferedImage(
                        2000,
                        2000,
                        BufferedImage.TYPE_INT_RGB); // 4 MP > cap 3 MP, compresses to a few KB
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        assertTrue(png.size() < 2_000_000);
        assertError(
                Http.post(port, "/api/v1/emotions?name=big.png", png.toByteArray(), "image/png"),
                413,
                "big.png",
                "2000x2000",
                "3,000,000");
    }

    @Test
    void clientDisconnectingMidUploadLeavesTheServiceHealthy() throws Exception {
        long before = service.metrics().errorCount("client_abort");
        try (Socket s = Http.openPost(port, "/api/v1/emotions", photo.length, "image/jpeg")) {
            Http.write(s.getOutputStream(), photo, 0, photo.length / 2);
            Thread.sleep(200);
        } // closed with half the body sent
        long until = System.currentTimeMillis() + 10_000;
        while ((service.inFlight() > 0 || service.metrics().errorCount("client_abort") == before)
                && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertEquals(0, service.inFlight(), "the admission slot must be released");
        assertEquals(before + 1, service.metrics().errorCount("client_abort"));
        assertEquals(200, Http.post(port, "/api/v1/emotions", photo, "image/jpeg").status());
    }

    // ---------------------------------------------------------------- services with other settings

    @Test
    void verySlowBodyIs408() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.bodyTimeoutMillis = 600;
        try (EmotionService svc = ServiceFixture.start(s);
                Socket sock =
                        Http.openPost(svc.port(), "/api/v1/emotions", photo.length, "image/jpeg")) {
            OutputStream out = sock.getOutputStream();
            long t0 = System.nanoTime();
            String answer = null;
            // one byte every 50 ms: never idle long enough for Jetty's idle timeout, but far too
            // slow overall
            for (int i = 0; i < 200 && answer == null; i++) {
                try {
                    Http.write(out, photo, i, i + 1);
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(50);
                if (sock.getInputStream().available() > 0) {
                    break;
                }
            }
            answer = Http.readAnswer(sock);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("did not arrive within 600 ms"), answer);
            assertClean(answer);
            assertTrue(ms < 5000, "took " + ms + " ms");
            assertEquals(0, svc.inFlight());
        }
    }

    @Test
    void stalledBodyIsCutByTheIdleTimeout() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.idleTimeoutMillis = 500;
        try (EmotionService svc = ServiceFixture.start(s);
                Socket sock =
                        Http.openPost(svc.port(), "/api/v1/emotions", photo.length, "image/jpeg")) {
            Http.write(sock.getOutputStream(), photo, 0, 1000); // then nothing
            long t0 = System.nanoTime();
            String answer = Http.readAnswer(sock);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
            assertClean(answer);
            assertTrue(ms < 5000, "took " + ms + " ms");
            long until = System.currentTimeMillis() + 5000;
            while (svc.inFlight() > 0 && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            assertEquals(0, svc.inFlight());
            assertEquals(
                    1,
                    svc.metrics().errorCount("body_timeout")
                            + svc.metrics().errorCount("client_abort"));
        }
    }

    @Test
    void apiKeyIsRequiredWhenConfigured() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.apiKey = "s3cret-key";
        try (EmotionService svc = ServiceFixture.start(s)) {
            int p = svc.port();
            Http.Answer none = Http.post(p, "/api/v1/emotions", photo, "image/jpeg");
            assertError(none, 401, "API key");
            assertEquals("Bearer", none.header("WWW-Authenticate"));
            assertError(
                    Http.post(p, "/api/v1/emotions", photo, "image/jpeg", "X-API-Key", "wrong"),
                    401,
                    "not valid");
            assertError(Http.get(p, "/api/v1/model"), 401);
            assertEquals(
                    200,
                    Http.post(p, "/api/v1/emotions", photo, "image/jpeg", "X-API-Key", "s3cret-key")
                            .status());
            assertEquals(
                    200,
                    Http.get(p, "/api/v1/model", "Authorization", "Bearer s3cret-key").status());
            assertEquals(200, Http.get(p, "/healthz").status(), "health checks need no key");
            assertEquals(200, Http.get(p, "/api/v1/openapi.json").status());
        }
    }

    @Test
    void fullQueueIs503WithRetryAfter() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.queueCapacity = 1;
        try (EmotionService svc = ServiceFixture.start(s);
                Socket hog =
                        Http.openPost(svc.port(), "/api/v1/emotions", photo.length, "image/jpeg")) {
            Http.write(hog.getOutputStream(), photo, 0, 100); // admitted, still sending its body
            long until = System.currentTimeMillis() + 5000;
            while (svc.inFlight() == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            Http.Answer busy = Http.post(svc.port(), "/api/v1/emotions", photo, "image/jpeg");
            assertError(busy, 503, "busy");
            assertEquals("1", busy.header("Retry-After"));
            Http.write(
                    hog.getOutputStream(),
                    photo,
                    100,
                    photo.length); // the admitted one still gets its answer
            assertTrue(Http.readAnswer(hog).startsWith("HTTP/1.1 200"));
            assertEquals(
                    200, Http.post(svc.port(), "/api/v1/emotions", photo, "image/jpeg").status());
            assertEquals(1, svc.metrics().errorCount("queue_full"));
        }
    }

    @Test
    void requestTimeoutIs503WithRetryAfter() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        s.requestTimeoutMillis = 1; // detection alone takes longer
        try (EmotionService svc = ServiceFixture.start(s)) {
            Http.Answer a = Http.post(svc.port(), "/api/v1/emotions", photo, "image/jpeg");
            assertError(a, 503, "timeout of 1 ms");
            assertEquals("1", a.header("Retry-After"));
            assertEquals(0, svc.inFlight());
        }
    }

    @Test
    void shutdownDrainsAdmittedRequestsThenStops() throws Exception {
        ServiceSettings s = ServiceFixture.settings();
        EmotionService svc = ServiceFixture.start(s);
        int p = svc.port();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Http.Answer>> running = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                running.add(
                        pool.submit(() -> Http.post(p, "/api/v1/emotions", photo, "image/jpeg")));
            }
            long until = System.currentTimeMillis() + 10_000;
            while (svc.inFlight() < 4 && System.currentTimeMillis() < until) {
                Thread.sleep(2);
            }
            assertEquals(4, svc.inFlight(), "all four requests should be admitted");
            Thread closer = new Thread(svc::close);
            closer.start();
            Thread.sleep(50);
            // while draining: not ready, and new work is refused with 503
            Http.Answer ready = Http.get(p, "/readyz");
            assertEquals(503, ready.status());
            assertMatchesSchema("Status", ready.json());
            assertError(
                    Http.post(p, "/api/v1/emotions", photo, "image/jpeg"), 503, "shutting down");
            for (Future<Http.Answer> f : running) {
                assertEquals(200, f.get().status(), "admitted requests finish during the drain");
            }
            closer.join(30_000);
            assertFalse(closer.isAlive());
            assertThrows(ConnectException.class, () -> Http.get(p, "/healthz"));
        } finally {
            pool.shutdownNow();
            svc.close();
        }
    }
}
