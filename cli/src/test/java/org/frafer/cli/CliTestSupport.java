package org.frafer.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.MarkerDetector;
import org.frafer.infer.TinyEmotionNetwork;
import picocli.CommandLine;

/** Runs CLI commands in-process with the test doubles (tiny network, green-frame detector). */
final class CliTestSupport {
    static final int SIZE = 64;

    record Run(int exitCode, String out, String err) {}

    private CliTestSupport() {}

    /**
     * All runs of one test class share one network's weights, so outputs of different runs compare.
     */
    static void useDoubles(TinyEmotionNetwork weights) {
        RecognizerOptions.builderForTests =
                o ->
                        EmotionRecognizer.builder()
                                .network(TinyEmotionNetwork.sharing(weights))
                                .detector(new MarkerDetector());
    }

    /** Networks and datasets for train/evaluate runs; null = the real ones. */
    static CliServices services;

    static void reset() {
        RecognizerOptions.builderForTests = null;
        services = null;
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = services == null ? Main.commandLine() : Main.commandLine(services);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
