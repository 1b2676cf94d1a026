package org.frafer.video;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.frafer.infer.Annotator;
import org.frafer.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The emotion timeline of one track as a PNG: the probability of each class over time (XChart). */
public final class TimelineChart {
    private TimelineChart() {}

    /**
     * @param rows {time, p0, p1, ...} per frame of the track
     */
    public static XYChart chart(String title, List<String> classes, List<double[]> rows) {
        XYChart c =
                new XYChartBuilder()
                        .width(900)
                        .height(360)
                        .title(title)
                        .xAxisTitle("time (s)")
                        .yAxisTitle("probability")
                        .build();
        c.getStyler()
                .setYAxisMin(0.0)
                .setYAxisMax(1.0)
                .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE)
                .setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(3);
        double[] t = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            t[i] = rows.get(i)[0];
        }
        for (int k = 0; k < classes.size(); k++) {
            double[] y = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                y[i] = rows.get(i)[k + 1];
            }
            XYSeries s = c.addSeries(classes.get(k), t, y);
            s.setLineColor(Annotator.colour(k));
            s.setMarkerColor(Annotator.colour(k));
            s.setMarker(rows.size() > 200 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        return c;
    }

    public static void write(Path png, String title, List<String> classes, List<double[]> rows)
            throws IOException {
        AtomicFiles.writeImage(BitmapEncoder.getBufferedImage(chart(title, classes, rows)), png);
    }
}
