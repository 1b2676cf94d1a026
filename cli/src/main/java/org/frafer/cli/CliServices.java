package org.frafer.cli;

import java.nio.file.Path;
import java.util.function.Function;
import org.frafer.model.EmotionNetwork;
import org.frafer.model.ModelConfig;
import org.frafer.model.Networks;

/**
 * What the train and evaluate commands build networks and read datasets with, given to them when
 * the command line is made ({@link Main#commandLine(CliServices)}); tests pass tiny networks and
 * synthetic data.
 */
public record CliServices(
        Function<ModelConfig, EmotionNetwork> networkFactory,
        Function<Path, EmotionNetwork> networkLoader,
        DatasetAccess datasets) {
    /** The real ones: {@link Networks} and {@link DatasetAccess#REAL}. */
    public static CliServices real() {
        return new CliServices(Networks::create, Networks::load, DatasetAccess.REAL);
    }
}
