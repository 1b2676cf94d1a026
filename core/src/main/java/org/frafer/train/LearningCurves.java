package org.frafer.train;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.frafer.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code curves.png}: training loss and validation accuracy per epoch (XChart), side by side. */
public final class LearningCurves {
    private LearningCurves() {}

    public static BufferedImage render(List<TrainState.EpochRecord> history) {
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> valEpochs = new ArrayList<>();
        List<Double> valAcc = new ArrayList<>();
        List<Double> valBal = new ArrayList<>();
        for (TrainState.EpochRecord r : history) {
            epochs.add((double) r.epoch);
            loss.add(r.trainLoss);
            if (r.valAccuracy != null) {
                valEpochs.add((double) r.epoch);
                valAcc.add(r.valAccuracy);
                valBal.add(r.valBalancedAccuracy == null ? Double.NaN : r.valBalancedAccuracy);
            }
        }
        XYChart lossChart =
                new XYChartBuilder()
                        .width(520)
                        .height(380)
                        .title("Training loss")
                        .xAxisTitle("epoch")
                        .yAxisTitle("loss")
                        .build();
        lossChart.getStyler().setLegendVisible(false);
        if (!epochs.isEmpty()) {
            lossChart.addSeries("train loss", epochs, loss).setMarker(SeriesMarkers.CIRCLE);
        }
        XYChart accChart =
                new XYChartBuilder()
                        .width(520)
                        .height(380)
                        .title("Validation")
                        .xAxisTitle("epoch")
                        .yAxisTitle("accuracy")
                        .build();
        accChart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        if (!valEpochs.isEmpty()) {
            accChart.addSeries("accuracy", valEpochs, valAcc).setMarker(SeriesMarkers.CIRCLE);
            accChart.addSeries("balanced accuracy", valEpochs, valBal)
                    .setMarker(SeriesMarkers.DIAMOND);
        } else {
            accChart.setTitle("Validation (no validation set)");
        }
        BufferedImage a = BitmapEncoder.getBufferedImage(lossChart);
        BufferedImage b = BitmapEncoder.getBufferedImage(accChart);
        BufferedImage both =
                new BufferedImage(
                        a.getWidth() + b.getWidth(),
                        Math.max(a.getHeight(), b.getHeight()),
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return both;
    }

    public static void write(List<TrainState.EpochRecord> history, Path png) {
        BufferedImage img = render(history);
        AtomicFiles.Unchecked.write(
                png,
                out -> {
                    if (!ImageIO.write(img, "png", out)) {
                        throw new java.io.IOException("no PNG writer");
                    }
                });
    }
}
