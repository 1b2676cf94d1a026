package org.frafer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.frafer.faces.DetectedFace;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.junit.jupiter.api.Test;

/**
 * The batcher with a recording classifier instead of the network: batch composition, bounds, order,
 * refusals.
 */
class FaceBatcherTest {
    private static final List<String> CLASSES = List.of("a", "b");

    /** A crop whose x coordinate identifies it, so results can be matched to requests. */
    private static FaceCrop crop(int id) {
        return new FaceCrop(
                new DetectedFace(id, 0, 1, 1, 1, null),
                new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB),
                new float[0]);
    }

    /** Classifier recording the size of each pass; probability of "a" = crop id / 1000. */
    private static final class Recording {
        final List<Integer> passes = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        List<FaceEmotion> classify(List<FaceCrop> crops) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            passes.add(crops.size());
            List<FaceEmotion> out = new ArrayList<>();
            for (FaceCrop c : crops) {
                float p = c.face().x() / 1000f;
                out.add(new FaceEmotion(c.face(), CLASSES, new float[] {p, 1 - p}));
            }
            return out;
        }
    }

    private static long later() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    }

    @Test
    void concurrentJobsShareOnePassAndGetTheirOwnFacesBack() throws Exception {
        Recording rec = new Recording();
        rec.gate = new CountDownLatch(1);
        ServiceMetrics m = new ServiceMetrics();
        try (FaceBatcher b = new FaceBatcher(rec::classify, 16, 16, 200, m)) {
            // the first job is taken at once and blocks in the classifier; the next three queue up
            // meanwhile
            CompletableFuture<List<FaceEmotion>> first = b.submit(List.of(crop(1)), later());
            Thread.sleep(300);
            List<CompletableFuture<List<FaceEmotion>>> more = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                more.add(b.submit(List.of(crop(100 + 10 * r), crop(101 + 10 * r)), later()));
            }
            rec.gate.countDown();
            assertEquals(0.001f, first.get(10, TimeUnit.SECONDS).get(0).probabilities()[0], 1e-6);
            for (int r = 0; r < 3; r++) {
                List<FaceEmotion> got = more.get(r).get(10, TimeUnit.SECONDS);
                assertEquals(2, got.size());
                assertEquals(
                        (100 + 10 * r) / 1000f,
                        got.get(0).probabilities()[0],
                        1e-6,
                        "request " + r + " got another's faces");
                assertEquals((101 + 10 * r) / 1000f, got.get(1).probabilities()[0], 1e-6);
            }
            assertEquals(
                    List.of(1, 6), rec.passes, "the three queued requests must share one pass");
            assertEquals(2, m.batches()[0]);
            assertEquals(7, m.batches()[1]);
        }
    }

    @Test
    void aPassNeverExceedsMaxBatchFaces() throws Exception {
        Recording rec = new Recording();
        rec.gate = new CountDownLatch(1);
        try (FaceBatcher b = new FaceBatcher(rec::classify, 64, 4, 100, new ServiceMetrics())) {
            b.submit(List.of(crop(0)), later());
            Thread.sleep(200);
            List<CompletableFuture<List<FaceEmotion>>> fs = new ArrayList<>();
            for (int r = 0; r < 5; r++) {
                fs.add(
                        b.submit(
                                List.of(crop(r), crop(r), crop(r)),
                                later())); // 3 faces each: at most one job per pass of 4
            }
            rec.gate.countDown();
            for (CompletableFuture<List<FaceEmotion>> f : fs) {
                assertEquals(3, f.get(10, TimeUnit.SECONDS).size());
            }
            assertTrue(rec.passes.stream().allMatch(n -> n <= 4), "passes " + rec.passes);
        }
    }

    @Test
    void aFullQueueIsRefusedAndAnExpiredJobIsNotRun() throws Exception {
        Recording rec = new Recording();
        rec.gate = new CountDownLatch(1);
        try (FaceBatcher b = new FaceBatcher(rec::classify, 2, 1, 0, new ServiceMetrics())) {
            b.submit(
                    List.of(crop(1)),
                    later()); // taken by the batcher thread, blocked in the classifier
            Thread.sleep(200);
            CompletableFuture<List<FaceEmotion>> expired =
                    b.submit(List.of(crop(2)), System.nanoTime()); // deadline now
            b.submit(List.of(crop(3)), later());
            assertThrows(
                    FaceBatcher.QueueFullException.class,
                    () -> b.submit(List.of(crop(4)), later()));
            rec.gate.countDown();
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> expired.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TimeoutException, e.toString());
        }
        assertEquals(List.of(1, 1), rec.passes, "the expired job must not reach the network");
    }

    @Test
    void closeRunsTheQueuedJobsFirst() throws Exception {
        Recording rec = new Recording();
        rec.gate = new CountDownLatch(1);
        FaceBatcher b = new FaceBatcher(rec::classify, 8, 1, 0, new ServiceMetrics());
        List<CompletableFuture<List<FaceEmotion>>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(b.submit(List.of(crop(i)), later()));
        }
        Thread t = new Thread(b::close);
        t.start();
        Thread.sleep(100);
        rec.gate.countDown();
        t.join(10_000);
        for (CompletableFuture<List<FaceEmotion>> f : fs) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally());
        }
        assertThrows(IllegalStateException.class, () -> b.submit(List.of(crop(9)), later()));
    }
}
