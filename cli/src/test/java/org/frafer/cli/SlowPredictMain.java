package org.frafer.cli;

import java.awt.image.BufferedImage;
import java.util.List;
import org.frafer.faces.DetectedFace;
import org.frafer.faces.FaceDetector;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.TinyEmotionNetwork;

/**
 * The CLI with the test doubles and a detector slowed to 20 ms per photo, run in a child JVM that
 * the fuzz suite kills.
 */
public final class SlowPredictMain {
    private SlowPredictMain() {}

    public static void main(String[] args) {
        TinyEmotionNetwork weights = new TinyEmotionNetwork("fra", CliTestSupport.SIZE);
        RecognizerOptions.builderForTests =
                o ->
                        EmotionRecognizer.builder()
                                .network(TinyEmotionNetwork.sharing(weights))
                                .detector(
                                        new FaceDetector() {
                                            final MarkerDetector marker = new MarkerDetector();

                                            @Override
                                            public List<DetectedFace> detect(BufferedImage image) {
                                                try {
                                                    Thread.sleep(20);
                                                } catch (InterruptedException e) {
                                                    Thread.currentThread().interrupt();
                                                }
                                                return marker.detect(image);
                                            }

                                            @Override
                                            public void close() {
                                                marker.close();
                                            }
                                        });
        System.exit(Main.commandLine().execute(args));
    }
}
