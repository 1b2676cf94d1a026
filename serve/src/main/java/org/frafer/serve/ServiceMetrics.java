package org.frafer.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * The service's counters in the Prometheus text format (version 0.0.4). Hand-written on purpose:
 * five metric families need no client library (and its registry, exporters and transitive jars);
 * the format is a few lines. Thread-safe, lock-free on the request path.
 */
public final class ServiceMetrics {
    /** Upper bounds (seconds) of the request latency histogram. */
    static final double[] LATENCY_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    /** Upper bounds of the faces-per-network-pass histogram. */
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64};

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<String, Histogram> stages = new ConcurrentHashMap<>();
    private final Histogram batchSizes = new Histogram(BATCH_BUCKETS);
    private final AtomicLong faces = new AtomicLong();
    private volatile IntSupplier queueLength = () -> 0;
    private volatile IntSupplier inFlight = () -> 0;

    void gauges(IntSupplier queueLength, IntSupplier inFlight) {
        this.queueLength = queueLength;
        this.inFlight = inFlight;
    }

    /** One finished request: route template (e.g. /api/v1/emotions), status code, seconds taken. */
    public void request(String route, int status, double seconds) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new AtomicLong())
                .incrementAndGet();
        latency.computeIfAbsent(route, k -> new Histogram(LATENCY_BUCKETS)).observe(seconds);
    }

    /**
     * A failed request by kind (too_large, bad_image, queue_full, timeout, unauthorized,
     * client_abort, internal...).
     */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * Time one request spent in a stage: read (body), decode, detect, classify (queue wait
     * included).
     */
    public void stage(String name, double seconds) {
        stages.computeIfAbsent(name, k -> new Histogram(LATENCY_BUCKETS)).observe(seconds);
    }

    /** Mean seconds per stage so far, e.g. {decode=0.05, detect=0.3}, for the load report. */
    public Map<String, Double> stageMeans() {
        Map<String, Double> m = new TreeMap<>();
        stages.forEach(
                (k, h) ->
                        m.put(k, h.count.get() == 0 ? 0 : h.sumMicros.get() / 1e6 / h.count.get()));
        return m;
    }

    /** One network pass over this many faces. */
    public void batch(int size) {
        batchSizes.observe(size);
        faces.addAndGet(size);
    }

    public long requestCount(String route, int status) {
        AtomicLong c = requests.get(route + "\u0000" + status);
        return c == null ? 0 : c.get();
    }

    public long errorCount(String kind) {
        AtomicLong c = errors.get(kind);
        return c == null ? 0 : c.get();
    }

    /** Network passes and the faces they classified, for the load report. */
    public long[] batches() {
        return new long[] {batchSizes.count.get(), faces.get()};
    }

    /** The exposition text. */
    public String scrape() {
        StringBuilder s = new StringBuilder(2048);
        s.append(
                "# HELP frafer_requests_total HTTP requests answered, by route and status code.\n");
        s.append("# TYPE frafer_requests_total counter\n");
        for (Map.Entry<String, AtomicLong> e : new TreeMap<>(requests).entrySet()) {
            String[] k = e.getKey().split("\u0000");
            s.append("frafer_requests_total{route=\"")
                    .append(escape(k[0]))
                    .append("\",code=\"")
                    .append(k[1])
                    .append("\"} ")
                    .append(e.getValue().get())
                    .append('\n');
        }
        s.append(
                "# HELP frafer_request_duration_seconds Time from request start to answer, by route.\n");
        s.append("# TYPE frafer_request_duration_seconds histogram\n");
        for (Map.Entry<String, Histogram> e : new TreeMap<>(latency).entrySet()) {
            e.getValue()
                    .write(
                            s,
                            "frafer_request_duration_seconds",
                            "route=\"" + escape(e.getKey()) + "\",");
        }
        s.append(
                "# HELP frafer_stage_duration_seconds Time an image request spent reading, decoding, detecting, classifying (queue wait included).\n");
        s.append("# TYPE frafer_stage_duration_seconds histogram\n");
        for (Map.Entry<String, Histogram> e : new TreeMap<>(stages).entrySet()) {
            e.getValue()
                    .write(
                            s,
                            "frafer_stage_duration_seconds",
                            "stage=\"" + escape(e.getKey()) + "\",");
        }
        s.append("# HELP frafer_errors_total Requests refused or failed, by reason.\n");
        s.append("# TYPE frafer_errors_total counter\n");
        for (Map.Entry<String, AtomicLong> e : new TreeMap<>(errors).entrySet()) {
            s.append("frafer_errors_total{reason=\"")
                    .append(escape(e.getKey()))
                    .append("\"} ")
                    .append(e.getValue().get())
                    .append('\n');
        }
        s.append(
                "# HELP frafer_batch_faces Faces per network pass (faces of concurrent requests share a pass).\n");
        s.append("# TYPE frafer_batch_faces histogram\n");
        batchSizes.write(s, "frafer_batch_faces", "");
        s.append("# HELP frafer_queue_length Face jobs waiting for the batcher.\n");
        s.append("# TYPE frafer_queue_length gauge\n");
        s.append("frafer_queue_length ").append(queueLength.getAsInt()).append('\n');
        s.append(
                "# HELP frafer_requests_in_flight Image requests admitted and not yet answered.\n");
        s.append("# TYPE frafer_requests_in_flight gauge\n");
        s.append("frafer_requests_in_flight ").append(inFlight.getAsInt()).append('\n');
        return s.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : Double.toString(v);
    }

    /** Cumulative buckets, sum and count, as Prometheus wants them. */
    private static final class Histogram {
        final double[] bounds;
        final AtomicLongArray counts;
        final AtomicLong count = new AtomicLong();
        final AtomicLong sumMicros =
                new AtomicLong(); // sum kept in millionths: lock-free and exact enough

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length);
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts.incrementAndGet(i);
                    break;
                }
            }
            count.incrementAndGet();
            sumMicros.addAndGet(Math.round(v * 1e6));
        }

        void write(StringBuilder s, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                s.append(name)
                        .append("_bucket{")
                        .append(labels)
                        .append("le=\"")
                        .append(number(bounds[i]))
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            String plain =
                    labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
            s.append(name)
                    .append("_bucket{")
                    .append(labels)
                    .append("le=\"+Inf\"} ")
                    .append(count.get())
                    .append('\n');
            s.append(name)
                    .append("_sum")
                    .append(plain)
                    .append(' ')
                    .append(String.format(Locale.ROOT, "%.6f", sumMicros.get() / 1e6))
                    .append('\n');
            s.append(name)
                    .append("_count")
                    .append(plain)
                    .append(' ')
                    .append(count.get())
                    .append('\n');
        }
    }
}
