package org.frafer.serve;

/**
 * Limits and tuning of {@link EmotionService}; plain fields with the defaults of {@code fra-fer
 * serve}.
 */
public final class ServiceSettings {
    /** Interface to listen on; loopback unless asked otherwise. */
    public String host = "127.0.0.1";

    /** 0 = any free port (tests). */
    public int port = 8080;

    /** Largest request body (raw image or whole multipart body); larger ones get 413. */
    public long maxUploadBytes = 10L * 1024 * 1024;

    /** Largest decoded image (width x height), checked from the header; larger ones get 413. */
    public long maxPixels = 40_000_000L;

    /**
     * Whole request (admission to answer) must finish within this; otherwise 503 with Retry-After.
     */
    public long requestTimeoutMillis = 10_000;

    /** The body must arrive within this (slow clients); otherwise 408. */
    public long bodyTimeoutMillis = 10_000;

    /** Jetty's idle timeout: a connection silent this long is closed. */
    public long idleTimeoutMillis = 30_000;

    /**
     * Image requests admitted at once (reading, decoding, detecting or queued); beyond: 503 with
     * Retry-After.
     */
    public int queueCapacity = 32;

    /**
     * Classify the faces of concurrent requests in shared batches (false: one request per network
     * pass, in arrival order).
     */
    public boolean batching = true;

    /** Faces per shared network pass. */
    public int maxBatch = 16;

    /** How long the batcher waits for more faces after the first one. */
    public long maxBatchWaitMillis = 5;

    /**
     * Required in {@code X-API-Key} or {@code Authorization: Bearer} for /api/v1/* when not null.
     */
    public String apiKey;

    /** On shutdown, how long admitted requests may take to finish. */
    public long drainTimeoutMillis = 20_000;

    /** Seconds sent in Retry-After with 503 answers. */
    public int retryAfterSeconds = 1;

    /** Refuses impossible values with a message naming the setting. */
    public ServiceSettings validate() {
        positive("max upload bytes", maxUploadBytes);
        positive("max pixels", maxPixels);
        positive("request timeout", requestTimeoutMillis);
        positive("body timeout", bodyTimeoutMillis);
        positive("idle timeout", idleTimeoutMillis);
        positive("queue capacity", queueCapacity);
        positive("max batch", maxBatch);
        if (maxBatchWaitMillis < 0) {
            throw new IllegalArgumentException(
                    "max batch wait must not be negative, got " + maxBatchWaitMillis);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key is empty");
        }
        return this;
    }

    private static void positive(String what, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }
}
