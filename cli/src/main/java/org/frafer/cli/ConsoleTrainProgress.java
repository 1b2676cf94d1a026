package org.frafer.cli;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.frafer.train.TrainProgress;

/** {@code train}'s console progress bar on stderr: steps, epoch, loss, images/s, ETA. */
final class ConsoleTrainProgress implements TrainProgress {
    private ProgressBar bar;

    @Override
    public void start(long total, long done) {
        bar =
                new ProgressBarBuilder()
                        .setTaskName("train")
                        .setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(1000)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err))
                        .startsFrom(done, Duration.ZERO)
                        .setUnit(" steps", 1)
                        .build();
    }

    @Override
    public void step(long globalStep, int epoch, double epochLoss, double imagesPerSecond) {
        bar.stepTo(globalStep);
        bar.setExtraMessage(
                String.format(
                        Locale.ROOT,
                        " ep %d loss %.4f %.1f img/s",
                        epoch,
                        epochLoss,
                        imagesPerSecond));
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
