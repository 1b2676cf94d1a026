package org.frafer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.frafer.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fra-fer serve} as a user runs it: bad options, and a real process stopped by SIGTERM while
 * it works.
 */
class ServeCommandTest {
    @TempDir Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void emptyOrMissingKeyFileAndBadLimitsAreOneLineErrors() throws Exception {
        Path empty = Files.writeString(dir.resolve("key.txt"), "\n");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--api-key-file", empty.toString()));
        assertTrue(err.toString().contains("key.txt: the API key file is empty"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--api-key-file", dir.resolve("nope.txt").toString()));
        assertTrue(
                err.toString().contains("nope.txt: cannot read the API key file"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--queue", "0"));
        assertTrue(err.toString().contains("queue capacity must be positive"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--model", dir.toString()));
        assertTrue(err.toString().startsWith("error: cannot load the model"), err.toString());
    }

    @Test
    void keyFileFirstLineIsTheKey() throws Exception {
        Path f = Files.writeString(dir.resolve("k"), "  abc123  \nsecond line\n");
        assertEquals("abc123", ServeCommand.readKey(f));
    }

    @Test
    void sigtermLetsAdmittedRequestsFinish() throws Exception {
        ServiceFixture.recognizer(); // skips without assets
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                        java,
                        "-Xmx2g",
                        "-Dai.djl.offline=true",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-Dfrafer.assets=" + Assets.root(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ServeCommand.class.getName(),
                        "--port",
                        "0",
                        "--timeout",
                        "120000",
                        "--model",
                        System.getProperty("frafer.model", "models/default"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        StringBuilder log = new StringBuilder();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern serving = Pattern.compile("serving .* on http://127\\.0\\.0\\.1:(\\d+)/");
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = serving.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "no 'serving' line:\n" + log);
            Thread drain =
                    new Thread(
                            () ->
                                    out.lines()
                                            .forEach(
                                                    l -> {
                                                        synchronized (log) {
                                                            log.append(l).append('\n');
                                                        }
                                                    }));
            drain.start();
            byte[] photo = Files.readAllBytes(ServiceFixture.sample(2));
            int port0 = port;
            List<Future<Http.Answer>> running = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                running.add(
                        pool.submit(
                                () -> Http.post(port0, "/api/v1/emotions", photo, "image/jpeg")));
            }
            long until = System.currentTimeMillis() + 20_000;
            while (EmotionServiceTest.metric(
                                    Http.get(port, "/metrics").body(), "frafer_requests_in_flight")
                            < 3
                    && System.currentTimeMillis() < until) {
                Thread.sleep(5);
            }
            p.destroy(); // SIGTERM
            for (Future<Http.Answer> f : running) {
                Http.Answer a = f.get(60, TimeUnit.SECONDS);
                assertNotNull(a);
                assertEquals(
                        200,
                        a.status(),
                        "an admitted request must be answered during the drain: " + a.body());
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process must stop after draining");
            drain.join(5000);
            assertEquals(143, p.exitValue(), "terminated by SIGTERM (128 + 15)\n" + log);
            synchronized (log) {
                assertFalse(log.toString().contains("Exception"), log.toString());
            }
        } finally {
            pool.shutdownNow();
            p.destroyForcibly();
        }
    }
}
