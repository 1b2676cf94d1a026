package org.frafer.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;

/**
 * Classifies the faces of concurrent requests together: request threads queue their crops, one
 * thread takes the first waiting job, waits at most {@code maxWait} for more, and runs the network
 * once over up to {@code maxBatch} faces. The queue is bounded: {@link #submit} refuses a job when
 * it is full, and the caller answers 503. A job whose deadline passed while queued is failed
 * without running it.
 */
public final class FaceBatcher implements AutoCloseable {
    /** Thrown by {@link #submit} when the queue is full. */
    public static final class QueueFullException extends Exception {
        QueueFullException(int capacity) {
            super("the classification queue is full (" + capacity + " requests waiting)");
        }
    }

    private record Job(
            List<FaceCrop> crops,
            long deadlineNanos,
            CompletableFuture<List<FaceEmotion>> result) {}

    private final Function<List<FaceCrop>, List<FaceEmotion>> classifier;
    private final BlockingQueue<Job> queue;
    private final int capacity;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final ServiceMetrics metrics;
    private final Thread thread;
    private volatile boolean closing;
    private Job carried; // taken from the queue but did not fit in the last batch; only the batcher

    // thread touches it

    /**
     * @param classifier runs the network over crops, one probability row per crop, in order (e.g.
     *     {@code recognizer::classify}); called from the batcher thread only
     */
    public FaceBatcher(
            Function<List<FaceCrop>, List<FaceEmotion>> classifier,
            int capacity,
            int maxBatch,
            long maxWaitMillis,
            ServiceMetrics metrics) {
        if (capacity < 1 || maxBatch < 1 || maxWaitMillis < 0) {
            throw new IllegalArgumentException(
                    "queue capacity and max batch must be positive, max wait not negative");
        }
        this.classifier = classifier;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        this.metrics = metrics;
        this.thread = new Thread(this::run, "frafer-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues the crops of one request; the future completes with one emotion per crop, in order.
     */
    public CompletableFuture<List<FaceEmotion>> submit(List<FaceCrop> crops, long deadlineNanos)
            throws QueueFullException {
        if (closing) {
            throw new IllegalStateException("the batcher is shut down");
        }
        Job j = new Job(List.copyOf(crops), deadlineNanos, new CompletableFuture<>());
        if (!queue.offer(j)) {
            throw new QueueFullException(capacity);
        }
        return j.result;
    }

    /** Jobs waiting (not yet taken into a batch). */
    public int queued() {
        return queue.size();
    }

    private void run() {
        while (!closing || !queue.isEmpty() || carried != null) {
            List<Job> batch;
            try {
                batch = collect();
            } catch (InterruptedException e) {
                if (closing) {
                    continue; // drain what is left
                }
                Thread.currentThread().interrupt();
                return;
            }
            if (!batch.isEmpty()) {
                runBatch(batch);
            }
        }
    }

    /**
     * The next batch: the first job, plus whatever arrives within maxWait while it fits in maxBatch
     * faces.
     */
    private List<Job> collect() throws InterruptedException {
        Job first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
        carried = null;
        List<Job> batch = new ArrayList<>();
        if (first == null) {
            return batch;
        }
        batch.add(first);
        int faces = first.crops.size();
        long until = System.nanoTime() + maxWaitNanos;
        while (faces < maxBatch) {
            long left = until - System.nanoTime();
            Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (faces + next.crops.size() > maxBatch) {
                carried = next; // first of the next batch
                break;
            }
            batch.add(next);
            faces += next.crops.size();
        }
        return batch;
    }

    private void runBatch(List<Job> batch) {
        long now = System.nanoTime();
        List<Job> live = new ArrayList<>(batch.size());
        List<FaceCrop> crops = new ArrayList<>();
        for (Job j : batch) {
            if (now - j.deadlineNanos > 0 || j.result.isDone()) {
                j.result.completeExceptionally(new TimeoutException("timed out while queued"));
            } else {
                live.add(j);
                crops.addAll(j.crops);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        try {
            List<FaceEmotion> all = classifier.apply(crops);
            metrics.batch(crops.size());
            int at = 0;
            for (Job j : live) {
                j.result.complete(List.copyOf(all.subList(at, at + j.crops.size())));
                at += j.crops.size();
            }
        } catch (RuntimeException | Error e) {
            for (Job j : live) {
                j.result.completeExceptionally(e);
            }
        }
    }

    /**
     * Stops accepting jobs, runs the ones already queued, then ends the thread (waits at most the
     * given time).
     */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
