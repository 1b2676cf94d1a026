package org.frafer.eval;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.frafer.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Reliability diagram (XChart): accuracy against mean top-label confidence per bin, with the
 * diagonal of perfect calibration.
 */
public final class ReliabilityPlot {
    private ReliabilityPlot() {}

    public static BufferedImage render(List<Calibration.Bin> bins, String title) {
        List<Double> conf = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        long n = bins.stream().mapToLong(Calibration.Bin::count).sum();
        for (Calibration.Bin b : bins) {
            if (b.count() > 0) {
                conf.add(b.meanConfidence());
                acc.add(b.accuracy());
                share.add((double) b.count() / n);
            }
        }
        XYChart chart =
                new XYChartBuilder()
                        .width(800)
                        .height(560)
                        .title(
                                (title == null ? "" : title + ": ")
                                        + String.format(
                                                Locale.ROOT,
                                                "ECE %.4f (%d bins, n=%d)",
                                                Calibration.ece(bins),
                                                bins.size(),
                                                n))
                        .xAxisTitle("mean confidence (top class)")
                        .yAxisTitle("accuracy / share of samples")
                        .build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.addSeries("perfect calibration", List.of(0.0, 1.0), List.of(0.0, 1.0))
                .setMarker(SeriesMarkers.NONE)
                .setLineColor(Color.GRAY);
        if (!conf.isEmpty()) {
            chart.addSeries("accuracy per bin", conf, acc).setMarker(SeriesMarkers.CIRCLE);
            XYSeries s = chart.addSeries("share of samples", conf, share);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    public static void writePng(List<Calibration.Bin> bins, String title, Path png) {
        BufferedImage img = render(bins, title);
        AtomicFiles.Unchecked.write(
                png,
                out -> {
                    if (!ImageIO.write(img, "png", out)) {
                        throw new java.io.IOException("no PNG writer");
                    }
                });
    }
}
