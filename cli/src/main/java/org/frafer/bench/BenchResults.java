package org.frafer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Throughput samples of FRA-FER and its peers, one per (system, case, round), and the table {@code
 * fra-fer bench} prints: best and median per system and case, and ratios ours/peer taken round by
 * round (each round runs ours and then the peer back to back, so the slow drifts of a shared
 * machine hit both sides of a ratio alike). Also parses the peers' JSON lines.
 */
public final class BenchResults {
    public static final String OURS = "fra-fer (DJL)";
    public static final String TORCH = "pytorch eager";
    public static final String TFJS = "tfjs wasm (human)";

    /**
     * Throughput (items/s) of one system on one case in one round: min, median and max over its
     * timed repetitions.
     */
    public record Sample(
            String system, String caseKey, int round, double min, double median, double max) {
        public Sample {
            if (!(min > 0 && median >= min && max >= median)) {
                throw new IllegalArgumentException(
                        system
                                + " / "
                                + caseKey
                                + ": expected 0 < min <= median <= max, got "
                                + min
                                + ", "
                                + median
                                + ", "
                                + max);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> units = new LinkedHashMap<>();

    public void add(Sample s) {
        samples.add(s);
    }

    /** Declares a case (in table order) and its unit, e.g. "img/s" or "faces/s". */
    public void declareCase(String caseKey, String unit) {
        units.putIfAbsent(caseKey, unit);
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Throughput of each timed repetition -> a sample (min, median, max). */
    public static Sample fromRates(String system, String caseKey, int round, double[] rates) {
        if (rates.length == 0) {
            throw new IllegalArgumentException(caseKey + ": no timed repetitions");
        }
        double[] s = rates.clone();
        Arrays.sort(s);
        return new Sample(system, caseKey, round, s[0], median(s), s[s.length - 1]);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return median(v);
    }

    // ------------------------------------------------------------------ peers' JSON lines

    /** Case key of an inference or training case, e.g. {@code infer fra b32 @224}. */
    public static String modelCase(String mode, boolean fra, int batch, int size) {
        return String.format(Locale.ROOT, "%s %s b%d @%d", mode, fra ? "fra" : "none", batch, size);
    }

    public static final String PIPELINE_DECODE = "photos: decode+detect+classify";
    public static final String PIPELINE_DECODED = "photos: detect+classify (decoded)";

    /**
     * One stdout line of tools/bench/torch_bench.py -> a sample, or empty when the line is not one
     * of its result objects (progress, blank). Malformed JSON that looks like a result is an error.
     */
    public static Optional<Sample> parseTorchLine(String line, int round) {
        JsonNode n = parse(line, "torch_bench.py");
        if (n == null || !n.has("mode") || !n.has("imagesPerSecond")) {
            return Optional.empty();
        }
        String mode =
                switch (n.path("mode").asText()) {
                    case "inference" -> "infer";
                    case "train" -> "train";
                    default ->
                            throw new IllegalArgumentException(
                                    "torch_bench.py: unknown mode in " + line);
                };
        JsonNode r = n.get("imagesPerSecond");
        return Optional.of(
                new Sample(
                        TORCH,
                        modelCase(
                                mode,
                                n.path("fra").asBoolean(false),
                                need(n, "batch").asInt(),
                                need(n, "size").asInt()),
                        round,
                        need(r, "min").asDouble(),
                        need(r, "median").asDouble(),
                        need(r, "max").asDouble()));
    }

    /**
     * One stdout line of tools/bench/tfjs-pipeline/tfjs-pipeline.js -> a faces/s sample, or empty.
     */
    public static Optional<Sample> parseTfjsLine(String line, int round) {
        JsonNode n = parse(line, "tfjs-pipeline.js");
        if (n == null || !n.has("case") || !n.has("facesPerSecond")) {
            return Optional.empty();
        }
        String key =
                switch (n.get("case").asText()) {
                    case "decode+detect+emotion" -> PIPELINE_DECODE;
                    case "detect+emotion" -> PIPELINE_DECODED;
                    default -> null;
                };
        if (key == null) {
            return Optional.empty();
        }
        JsonNode r = n.get("facesPerSecond");
        return Optional.of(
                new Sample(
                        TFJS,
                        key,
                        round,
                        need(r, "min").asDouble(),
                        need(r, "median").asDouble(),
                        need(r, "max").asDouble()));
    }

    private static JsonNode parse(String line, String source) {
        String t = line.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(t);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    source
                            + ": malformed JSON result line: "
                            + abbreviate(t)
                            + " ("
                            + e.getMessage()
                            + ")");
        }
    }

    private static JsonNode need(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(
                    "peer result lacks numeric field '" + field + "': " + abbreviate(n.toString()));
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    // ------------------------------------------------------------------ statistics

    /**
     * Best (max over rounds of the per-round max) and median (of the per-round medians) of a system
     * on a case.
     */
    public record Summary(double best, double median, int rounds) {}

    public Optional<Summary> summary(String system, String caseKey) {
        List<Sample> s = select(system, caseKey);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new Summary(
                        s.stream().mapToDouble(Sample::max).max().orElseThrow(),
                        medianOf(s.stream().map(Sample::median).toList()),
                        s.size()));
    }

    /**
     * Ratio a/b of per-round medians, over the rounds both have: median, min and max of those
     * ratios.
     */
    public record Ratio(double median, double min, double max, int rounds) {}

    public Optional<Ratio> ratio(String systemA, String caseA, String systemB, String caseB) {
        Map<Integer, Double> b = new LinkedHashMap<>();
        for (Sample s : select(systemB, caseB)) {
            b.put(s.round(), s.median());
        }
        List<Double> ratios = new ArrayList<>();
        for (Sample s : select(systemA, caseA)) {
            Double other = b.get(s.round());
            if (other != null) {
                ratios.add(s.median() / other);
            }
        }
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new Ratio(
                        medianOf(ratios),
                        ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                        ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                        ratios.size()));
    }

    private List<Sample> select(String system, String caseKey) {
        return samples.stream()
                .filter(s -> s.system().equals(system) && s.caseKey().equals(caseKey))
                .toList();
    }

    private Set<String> cases() {
        Set<String> c = new LinkedHashSet<>(units.keySet());
        samples.forEach(s -> c.add(s.caseKey()));
        return c;
    }

    /**
     * The peer a case is compared with: PyTorch for network cases, TF.js for the photo pipeline.
     */
    static String peerOf(String caseKey) {
        return caseKey.startsWith("photos:") ? TFJS : TORCH;
    }

    // ------------------------------------------------------------------ table

    /**
     * Markdown table: one row per case, ours and the peer side by side, ratio ours/peer from
     * interleaved rounds.
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| case | unit | ours best | ours median | peer | peer best | peer median | ours/peer (median of rounds) | range | rounds |\n");
        sb.append("|---|---|---:|---:|---|---:|---:|---:|---|---:|\n");
        for (String c : cases()) {
            String peer = peerOf(c);
            Optional<Summary> o = summary(OURS, c);
            Optional<Summary> p = summary(peer, c);
            Optional<Ratio> r = ratio(OURS, c, peer, c);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                            c,
                            units.getOrDefault(c, "items/s"),
                            o.map(s -> num(s.best())).orElse("-"),
                            o.map(s -> num(s.median())).orElse("-"),
                            p.isPresent() ? peer : "-",
                            p.map(s -> num(s.best())).orElse("-"),
                            p.map(s -> num(s.median())).orElse("-"),
                            r.map(x -> String.format(Locale.ROOT, "**%.2fx**", x.median()))
                                    .orElse("-"),
                            r.map(x -> String.format(Locale.ROOT, "%.2f-%.2f", x.min(), x.max()))
                                    .orElse("-"),
                            r.map(x -> Integer.toString(x.rounds()))
                                    .orElse(o.map(s -> Integer.toString(s.rounds())).orElse("-"))));
        }
        return sb.toString();
    }

    /**
     * FRA overhead over plain B0 per system: 1 - (fra throughput / none throughput), from per-round
     * median ratios, for every inference/training case that has both variants.
     */
    public String overheadTable() {
        StringBuilder sb =
                new StringBuilder(
                        "| system | case | FRA overhead (median of rounds) | range |\n|---|---|---:|---|\n");
        boolean any = false;
        for (String c : cases()) {
            if (!c.contains(" none ")) {
                continue;
            }
            String fra = c.replace(" none ", " fra ");
            for (String system : List.of(OURS, TORCH)) {
                Optional<Ratio> r = ratio(system, fra, system, c);
                if (r.isPresent()) {
                    any = true;
                    sb.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %s | %+.1f%% | %+.1f%% .. %+.1f%% |%n",
                                    system,
                                    c.replace(" none ", " "),
                                    100 * (1 - r.get().median()),
                                    100 * (1 - r.get().max()),
                                    100 * (1 - r.get().min())));
                }
            }
        }
        return any ? sb.toString() : "";
    }

    static String num(double v) {
        return v >= 100
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }
}
