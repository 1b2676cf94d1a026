package org.frafer.train;

/**
 * Where the trainer reports its progress while it runs (the command line shows a console bar; the
 * library itself carries no UI dependency). Called from the training thread only.
 */
public interface TrainProgress extends AutoCloseable {
    /**
     * Training starts (or resumes) with {@code done} of {@code total} optimizer steps already
     * taken.
     */
    void start(long total, long done);

    /**
     * After a logged step: global step count, 1-based epoch, the epoch's mean loss so far and
     * images/s.
     */
    void step(long globalStep, int epoch, double epochLoss, double imagesPerSecond);

    /** Training stopped (finished, failed or killed): release the console. */
    @Override
    void close();
}
