package org.frafer.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run stands, saved in every checkpoint ({@code state.json}): the position (stage, epoch,
 * next batch, global step), the optimizer's step count, the running epoch loss, the best epoch so
 * far and the per-epoch history, and how long metrics.jsonl was (a resumed run cuts it back there).
 * Random numbers need no saved state: batch order depends on (seed, epoch) and the engine RNG is
 * re-seeded from (seed, step) before every forward pass.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class TrainState {
    public int stage;

    /** Global epoch (0-based, across stages): what the batch source is asked for. */
    public int epoch;

    /** Epoch index within the stage (0-based). */
    public int epochInStage;

    /** Batches of the current epoch already trained on. */
    public int batchInEpoch;

    /** Optimizer steps taken in total. */
    public long globalStep;

    /** Optimizer steps taken within the current stage (drives the lr schedule). */
    public long stageStep;

    public long optimizerStep;
    public double epochLossSum;
    public long epochLossCount;
    public long epochSamples;
    public double bestMetric = Double.NEGATIVE_INFINITY;

    /** 1-based epoch of the best validation result, 0 when none yet. */
    public int bestEpoch;

    public long metricsBytes;
    public boolean finished;
    public List<EpochRecord> history = new ArrayList<>();

    /** One finished epoch: the learning-curve points. */
    public static class EpochRecord {
        /** 1-based global epoch. */
        public int epoch;

        public int stage;
        public long step;
        public double trainLoss;
        public Double valAccuracy;
        public Double valBalancedAccuracy;
        public Double valMacroF1;
        public Double valLoss;
    }
}
