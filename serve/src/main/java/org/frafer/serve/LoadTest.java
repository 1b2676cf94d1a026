package org.frafer.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.frafer.Assets;
import org.frafer.data.Images;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A bounded load test over loopback: starts the service in this JVM, runs N clients that each post
 * photos back to back for T seconds, and prints throughput, latency percentiles, the answers by
 * status, the network passes and the process's peak RSS. Run once with batching and once without to
 * measure what batching gains.
 */
@Command(
        name = "serve-load",
        mixinStandardHelpOptions = true,
        description =
                "Load test of the HTTP service on loopback: N clients for T seconds; prints throughput, p50/p95/p99, peak RSS, errors.")
public final class LoadTest implements Callable<Integer> {
    @Option(
            names = "--clients",
            defaultValue = "8",
            description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--seconds",
            defaultValue = "60",
            description = "Duration (at most 600). Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(
            names = "--batching",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Shared batches across requests (--no-batching: one request per network pass). Default: on.")
    boolean batching;

    @Option(
            names = "--batch-wait",
            defaultValue = "5",
            description = "Batcher wait (ms). Default: ${DEFAULT-VALUE}.")
    long batchWait;

    @Option(
            names = "--queue",
            defaultValue = "32",
            description = "Admission limit (503 beyond). Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(
            names = "--compare-rounds",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "A/B instead of one run: N rounds of (batching on, batching off), --seconds each, in one JVM with one model "
                            + "(interleaved, so a change in the machine's load hits both). Default: ${DEFAULT-VALUE} (off).")
    int compareRounds;

    @Option(
            names = "--photos",
            paramLabel = "FILE",
            split = ",",
            description = "Photos to send, in turn. Default: assets/samples/*.jpg.")
    List<Path> photos;

    /** What one run measured. */
    public record Report(
            int clients,
            double seconds,
            long requests,
            Map<Integer, Long> byStatus,
            long transportErrors,
            double p50,
            double p95,
            double p99,
            double max,
            long faces,
            long passes,
            long passFaces,
            Map<String, Double> stageMeans,
            long peakRssKb) {
        public long ok() {
            return byStatus.getOrDefault(200, 0L);
        }

        /** Answers that are neither 200 nor the intended 503s, plus failed connections. */
        public long errors() {
            long e = transportErrors;
            for (Map.Entry<Integer, Long> s : byStatus.entrySet()) {
                if (s.getKey() != 200 && s.getKey() != 503) {
                    e += s.getValue();
                }
            }
            return e;
        }

        public String format(String title) {
            return String.format(
                    Locale.ROOT,
                    "%s: %d clients x %.0f s: %d requests, %.2f req/s, %.2f faces/s; latency (200s) p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms; "
                            + "answers %s, transport errors %d, errors %d; %d network passes, %.2f faces/pass; mean ms per request: %s; peak RSS %d MB",
                    title,
                    clients,
                    seconds,
                    requests,
                    requests / seconds,
                    faces / seconds,
                    p50,
                    p95,
                    p99,
                    max,
                    byStatus,
                    transportErrors,
                    errors(),
                    passes,
                    passes == 0 ? 0.0 : (double) passFaces / passes,
                    millis(stageMeans),
                    peakRssKb / 1024);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 256 || seconds < 1 || seconds > 600) {
            System.err.println("error: --clients must be in 1..256 and --seconds in 1..600");
            return 2;
        }
        List<Path> files = photos != null ? photos : samples();
        Path dir = DefaultModel.locate();
        ServiceSettings s = new ServiceSettings();
        s.port = 0;
        s.batching = batching;
        s.maxBatchWaitMillis = batchWait;
        s.queueCapacity = queue;
        s.requestTimeoutMillis = 60_000;
        try (EmotionRecognizer r =
                EmotionRecognizer.builder().model(dir).batchSize(s.maxBatch).build()) {
            if (compareRounds > 0) {
                return compare(r, ServeCommand.modelId(dir), s, files);
            }
            try (EmotionService service = new EmotionService(r, ServeCommand.modelId(dir), s)) {
                service.start();
                Report rep = run(service, files, clients, Duration.ofSeconds(seconds));
                System.out.println(
                        rep.format(
                                "batching "
                                        + (batching ? "on (wait " + batchWait + " ms)" : "off")));
                return rep.errors() == 0 ? 0 : 1;
            }
        }
    }

    private int compare(EmotionRecognizer r, String modelId, ServiceSettings base, List<Path> files)
            throws Exception {
        long[] ok = new long[2];
        double[] secs = new double[2];
        long errors = 0;
        for (int round = 1; round <= compareRounds; round++) {
            for (int mode = 0; mode < 2; mode++) {
                ServiceSettings s = copy(base);
                s.batching = mode == 0;
                try (EmotionService service = new EmotionService(r, modelId, s)) {
                    service.start();
                    Report rep = run(service, files, clients, Duration.ofSeconds(seconds));
                    System.out.println(
                            rep.format(
                                    "round "
                                            + round
                                            + ", batching "
                                            + (s.batching ? "on" : "off")));
                    ok[mode] += rep.ok();
                    secs[mode] += rep.seconds();
                    errors += rep.errors();
                }
            }
        }
        double on = ok[0] / secs[0];
        double off = ok[1] / secs[1];
        System.out.printf(
                Locale.ROOT,
                "all rounds: batching on %.2f req/s, off %.2f req/s, ratio %.2fx; errors %d; peak RSS %d MB%n",
                on,
                off,
                on / off,
                errors,
                peakRssKb() / 1024);
        return errors == 0 ? 0 : 1;
    }

    private static ServiceSettings copy(ServiceSettings b) {
        ServiceSettings s = new ServiceSettings();
        s.port = b.port;
        s.maxBatchWaitMillis = b.maxBatchWaitMillis;
        s.queueCapacity = b.queueCapacity;
        s.requestTimeoutMillis = b.requestTimeoutMillis;
        s.maxBatch = b.maxBatch;
        return s;
    }

    /** The sample photos of the repository's assets. */
    static List<Path> samples() throws IOException {
        try (var s = Files.list(Assets.root().resolve("samples"))) {
            List<Path> l = new ArrayList<>(s.filter(Images::hasImageExtension).sorted().toList());
            if (l.isEmpty()) {
                throw new IOException(
                        "no sample photos in "
                                + Assets.root().resolve("samples")
                                + " (run bin/setup)");
            }
            return l;
        }
    }

    /**
     * Runs the clients against a started service; one photo after another per client until the time
     * is up.
     */
    public static Report run(
            EmotionService service, List<Path> files, int clients, Duration duration)
            throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (Path f : files) {
            bodies.add(Files.readAllBytes(f));
        }
        URI uri = URI.create("http://127.0.0.1:" + service.port() + EmotionService.EMOTIONS);
        HttpClient http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        long[] facesBefore = service.metrics().batches();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        List<long[]> latencies = new ArrayList<>(); // per client, nanoseconds of 200 answers
        Map<Integer, Long> byStatus = new TreeMap<>();
        AtomicInteger next = new AtomicInteger();
        long[] transport = new long[1];
        long[] facesSeen = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t =
                    new Thread(
                            () -> {
                                long[] mine = new long[1 << 16];
                                int n = 0;
                                Map<Integer, Long> statuses = new TreeMap<>();
                                long errors = 0;
                                long faces = 0;
                                while (System.nanoTime() < end) {
                                    byte[] body =
                                            bodies.get(
                                                    Math.floorMod(
                                                            next.getAndIncrement(), bodies.size()));
                                    long s = System.nanoTime();
                                    try {
                                        HttpResponse<String> res =
                                                http.send(
                                                        HttpRequest.newBuilder(uri)
                                                                .timeout(Duration.ofSeconds(120))
                                                                .header(
                                                                        "Content-Type",
                                                                        "image/jpeg")
                                                                .POST(
                                                                        HttpRequest.BodyPublishers
                                                                                .ofByteArray(body))
                                                                .build(),
                                                        HttpResponse.BodyHandlers.ofString());
                                        statuses.merge(res.statusCode(), 1L, Long::sum);
                                        if (res.statusCode() == 200) {
                                            if (n < mine.length) {
                                                mine[n++] = System.nanoTime() - s;
                                            }
                                            faces += countFaces(res.body());
                                        } else if (res.statusCode() == 503) {
                                            Thread.sleep(
                                                    100); // what Retry-After asks for, shortened:
                                            // keep the pressure on
                                        }
                                    } catch (IOException e) {
                                        errors++;
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                        return;
                                    }
                                }
                                synchronized (latencies) {
                                    latencies.add(Arrays.copyOf(mine, n));
                                    statuses.forEach((k, v) -> byStatus.merge(k, v, Long::sum));
                                    transport[0] += errors;
                                    facesSeen[0] += faces;
                                }
                            },
                            "load-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long requests = byStatus.values().stream().mapToLong(Long::longValue).sum() + transport[0];
        long[] facesAfter = service.metrics().batches();
        return new Report(
                clients,
                secs,
                requests,
                byStatus,
                transport[0],
                pct(all, 50),
                pct(all, 95),
                pct(all, 99),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                facesSeen[0],
                facesAfter[0] - facesBefore[0],
                facesAfter[1] - facesBefore[1],
                service.metrics().stageMeans(),
                peakRssKb());
    }

    private static String millis(Map<String, Double> seconds) {
        StringBuilder b = new StringBuilder();
        seconds.forEach(
                (k, v) ->
                        b.append(b.length() == 0 ? "" : " ")
                                .append(k)
                                .append(' ')
                                .append(Math.round(v * 1000)));
        return b.toString();
    }

    private static int countFaces(String json) {
        int n = 0;
        for (int i = json.indexOf("\"faceScore\"");
                i >= 0;
                i = json.indexOf("\"faceScore\"", i + 1)) {
            n++;
        }
        return n;
    }

    /** Nearest-rank percentile in milliseconds. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** VmHWM of this process (Linux), 0 elsewhere. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTest()).execute(args));
    }
}
