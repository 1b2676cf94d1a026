package org.frafer.video.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.faces.FrBackbone;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.io.AtomicFiles;
import org.frafer.video.VideoAnalyzer;
import org.frafer.video.VideoFrame;
import org.frafer.video.VideoReader;
import org.frafer.video.VideoReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code video bench}: frames per second of decoding alone and of the whole video pipeline (decode,
 * detect, classify, FR descriptors, track), per clip, best and median of several rounds; optionally
 * the decoded frames as JPEG files for a peer pipeline (TF.js Human) to run on the same frames.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Frames/s of decoding and of the full video pipeline (with and without FR tracking) on clips; prints a table.")
final class BenchCommand implements Callable<Integer> {
    @Mixin VideoOptions o;

    @Parameters(paramLabel = "CLIP", arity = "1..*")
    List<Path> clips;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "Timed rounds per case. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(
            names = "--dump-frames",
            paramLabel = "DIR",
            description =
                    "Also write the decoded frames of each clip as JPEG here (in the first decode round, which is then slower; the table's best is of the others).")
    Path dump;

    @Override
    public Integer call() throws Exception {
        System.out.println("clip\tsize\tframes\tcase\tbest frames/s\tmedian frames/s");
        try (EmotionRecognizer r = o.recognizer();
                FrBackbone fr = o.frBackbone()) {
            VideoAnalyzer warm = new VideoAnalyzer(r, fr, o.analyzerOptions(false));
            warm.analyze(clips.get(0), null); // loads the models and warms the JIT and oneDNN
            for (Path clip : clips) {
                String size;
                int frames;
                try (VideoReader v = VideoReader.open(clip, o.readOptions())) {
                    size = v.info().width() + "x" + v.info().height();
                }
                List<Double> decode = new ArrayList<>();
                frames = 0;
                for (int i = 0; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    frames = 0;
                    try (VideoReader v = VideoReader.open(clip, o.readOptions())) {
                        VideoFrame f;
                        while ((f = v.next()) != null) {
                            frames++;
                            if (dump != null && i == 0) {
                                Files.createDirectories(dump);
                                AtomicFiles.writeImage(
                                        f.image(),
                                        dump.resolve(
                                                String.format(
                                                        Locale.ROOT,
                                                        "%s-%05d.jpg",
                                                        VideoCommand.stem(clip),
                                                        f.index())));
                            }
                        }
                    }
                    decode.add(frames / ((System.nanoTime() - t0) / 1e9));
                }
                print(clip, size, frames, "decode", decode);
                for (boolean useFr : new boolean[] {true, false}) {
                    if (useFr && fr == null) {
                        continue;
                    }
                    VideoAnalyzer a =
                            new VideoAnalyzer(r, useFr ? fr : null, o.analyzerOptions(false));
                    List<Double> fps = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        VideoReport rep = a.analyze(clip, null);
                        fps.add(rep.framesPerSecond());
                    }
                    print(
                            clip,
                            size,
                            frames,
                            useFr
                                    ? "decode+detect+classify+FR+track"
                                    : "decode+detect+classify+track (--fr none)",
                            fps);
                }
            }
        }
        return 0;
    }

    private static void print(Path clip, String size, int frames, String what, List<Double> fps) {
        List<Double> s = new ArrayList<>(fps);
        s.sort(null);
        int n = s.size();
        double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        System.out.printf(
                Locale.ROOT,
                "%s\t%s\t%d\t%s\t%.2f\t%.2f%n",
                clip.getFileName(),
                size,
                frames,
                what,
                s.get(n - 1),
                median);
    }
}
