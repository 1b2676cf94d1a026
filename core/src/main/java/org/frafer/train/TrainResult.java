package org.frafer.train;

import java.nio.file.Path;
import java.util.List;

/**
 * @param modelDir the output model folder (EmotionNetwork.save format)
 * @param steps optimizer steps taken in total
 * @param keptEpoch 1-based epoch whose weights are in modelDir (0 = last position after --max-steps
 *     mid-epoch)
 * @param history per-epoch records
 */
public record TrainResult(
        Path modelDir,
        long steps,
        int keptEpoch,
        double finalLoss,
        List<TrainState.EpochRecord> history) {}
