package org.frafer.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.frafer.data.BatchLoader;
import org.frafer.data.DatasetException;
import org.frafer.data.FaceBatch;
import org.frafer.data.LoadedDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fra-fer data}: read a dataset, print its class counts, optionally decode every image once.
 */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = {
            "Reads a labelled face dataset and prints what was found: samples per class and rows left out.",
            "With --decode, also decodes every face through the training input pipeline and reports unreadable"
                    + " files and the decoding speed."
        })
public final class DataCommand implements Callable<Integer> {
    @Mixin DatasetOptions data;

    @Option(
            names = "--decode",
            description =
                    "Decode every image once (crop, resize) and report unreadable files and images/s")
    boolean decode;

    @Option(
            names = "--size",
            defaultValue = "224",
            description = "Input size for --decode. Default: ${DEFAULT-VALUE}")
    int size;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Decoding threads for --decode. Default: ${DEFAULT-VALUE}")
    int threads;

    @Option(
            names = "--batch-size",
            defaultValue = "64",
            description = "Batch size for --decode. Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Override
    public Integer call() {
        LoadedDataset ds;
        try {
            ds = data.open();
        } catch (DatasetException | IllegalArgumentException e) {
            System.err.println("fra-fer data: " + e.getMessage());
            return 2;
        }
        System.out.println(ds.summary());
        if (!decode) {
            return 0;
        }
        try (BatchLoader loader =
                BatchLoader.builder(ds)
                        .batchSize(batchSize)
                        .imageSize(size)
                        .threads(threads)
                        .build()) {
            long t0 = System.nanoTime();
            int n = 0;
            for (FaceBatch b : loader.epoch(0, 0)) {
                n += b.count();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "decoded %d of %d images at %d px with %d threads in %.1f s (%.0f images/s)%n",
                    n,
                    ds.samples().size(),
                    size,
                    threads,
                    s,
                    n / s);
            for (String f : loader.skippedFiles()) {
                System.out.println("unreadable: " + f);
            }
            return loader.skippedFiles().isEmpty() ? 0 : 1;
        }
    }
}
