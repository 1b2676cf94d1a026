package org.frafer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a peer benchmark (Python or Node) as a subprocess: stdout lines collected (its JSON
 * results), the last stderr lines kept for error messages, and the peak resident set of the process
 * and its children sampled every 100 ms from /proc (libtorch and wasm heaps included).
 */
final class PeerProcess {
    /** What a run produced. */
    record Result(
            int exitCode,
            List<String> stdout,
            List<String> stderrTail,
            long peakRssKb,
            double seconds,
            boolean timedOut) {
        boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        String errorSummary() {
            return (timedOut ? "timed out" : "exit code " + exitCode)
                    + (stderrTail.isEmpty() ? "" : ": " + String.join(" | ", stderrTail));
        }
    }

    private PeerProcess() {}

    static Result run(
            List<String> command, Path workDir, Map<String, String> env, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(
                    -1,
                    List.of(),
                    List.of("cannot start " + command.get(0) + ": " + e.getMessage()),
                    -1,
                    0,
                    false);
        }
        List<String> out = new ArrayList<>();
        Deque<String> err = new ArrayDeque<>();
        Thread outReader =
                reader(
                        p.getInputStream(),
                        line -> {
                            synchronized (out) {
                                out.add(line);
                            }
                        });
        Thread errReader =
                reader(
                        p.getErrorStream(),
                        line -> {
                            synchronized (err) {
                                err.addLast(line);
                                while (err.size() > 5) {
                                    err.removeFirst();
                                }
                            }
                        });
        AtomicLong peak = new AtomicLong(-1);
        boolean timedOut = false;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                peak.accumulateAndGet(rssKb(p.toHandle()), Math::max);
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                    p.waitFor(10, TimeUnit.SECONDS);
                    p.destroyForcibly();
                    break;
                }
            }
            outReader.join(5000);
            errReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        int code = p.isAlive() ? -1 : p.exitValue();
        synchronized (out) {
            synchronized (err) {
                return new Result(
                        code,
                        List.copyOf(out),
                        List.copyOf(err),
                        peak.get(),
                        (System.nanoTime() - t0) / 1e9,
                        timedOut);
            }
        }
    }

    private static Thread reader(java.io.InputStream in, java.util.function.Consumer<String> sink) {
        Thread t =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(in, StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    sink.accept(line);
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        "peer-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** VmRSS of a process plus its descendants in kB (0 for a process already gone). */
    static long rssKb(ProcessHandle h) {
        long total = status(h.pid(), "VmRSS:");
        for (ProcessHandle c : h.descendants().toList()) {
            total += Math.max(0, status(c.pid(), "VmRSS:"));
        }
        return total;
    }

    /** A kB field of /proc/PID/status, or 0 when unavailable. */
    static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException | UncheckedIOException e) {
            return 0;
        }
        return 0;
    }
}
