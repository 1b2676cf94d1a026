package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.frafer.data.BatchSource;
import org.frafer.data.FaceDataset;
import org.frafer.data.FaceSample;
import org.frafer.train.SyntheticBatches;
import org.frafer.train.TinyNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --resume after a damaged latest checkpoint, and training on a full disk (issue 15, items 9 and 10). */
class ResumeAndDiskFullTrainTest {
    DatasetArgs.Backend saved;

    @TempDir
    Path dir;

    @BeforeEach
    void synthetic() {
        saved = DatasetArgs.backend;
        DatasetArgs.backend = new DatasetArgs.Backend() {
            @Override
            public FaceDataset open(DatasetArgs.Request r) {
                List<FaceSample> samples = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    samples.add(new FaceSample(Path.of("img" + i), null, i % 4, null, null));
                }
                return new FaceDataset() {
                    public String name() {
                        return "synthetic/" + r.split();
                    }

                    public List<String> classes() {
                        return TrainEvaluateCompareCliTest.FOUR;
                    }

                    public List<FaceSample> samples() {
                        return samples;
                    }
                };
            }

            @Override
            public BatchSource batches(FaceDataset ds, int batchSize, int imageSize, boolean training, boolean flip, long seed, int workers) {
                return new SyntheticBatches(ds.samples().size(), batchSize, imageSize, 4, 5, training, null);
            }
        };
        TrainCommand.networkFactory = c -> new TinyNetwork(c, true, 1);
    }

    @AfterEach
    void restore() {
        DatasetArgs.backend = saved;
        TrainCommand.networkFactory = org.frafer.model.Networks::create;
    }

    private CliTestSupport.Run train(Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", dir.toString(), "--format", "folder", "--no-val", "--input-size", "32",
                "--batch", "16", "--epochs", "2", "--checkpoint-every", "2", "--out", run.toString(), "--no-progress"));
        args.addAll(List.of(extra));
        return CliTestSupport.run(args.toArray(String[]::new));
    }

    @Test
    void resumeSkipsATruncatedLatestCheckpointAndNamesIt() throws Exception {
        Path run = dir.resolve("run");
        CliTestSupport.Run first = train(run, "--max-steps", "4");
        assertEquals(0, first.exitCode(), first.err());
        String latest = Files.readString(run.resolve("checkpoints/latest")).trim();
        Path weights = run.resolve("checkpoints").resolve(latest).resolve("weights.safetensors");
        byte[] all = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(all, all.length / 2)); // a copy cut off half-way
        CliTestSupport.Run resumed = CliTestSupport.run("train", "--resume", run.toString(), "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains(weights.toString()), "names the damaged file:\n" + resumed.err());
        assertTrue(resumed.err().contains("previous intact checkpoint"), resumed.err());
    }

    @Test
    void noIntactCheckpointIsAClearError() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, train(run, "--max-steps", "2").exitCode());
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            for (Path cp : s.filter(Files::isDirectory).toList()) {
                Files.write(cp.resolve("weights.safetensors"), new byte[] {1, 2, 3});
            }
        }
        CliTestSupport.Run resumed = CliTestSupport.run("train", "--resume", run.toString(), "--no-progress");
        assertEquals(ExitCodes.USAGE, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("no intact checkpoint") && resumed.err().contains("weights.safetensors"), resumed.err());
        assertTrue(resumed.err().lines().count() <= 3, resumed.err()); // the dataset line, the damaged checkpoint, the error
    }

    @Test
    void fullDiskDuringTrainingLeavesNoTemporaryFolder() throws Exception {
        Path mnt = FuzzSuiteTest.tmpfs(dir.resolve("mnt"), "size=256k");
        Assumptions.assumeTrue(mnt != null, "cannot mount a tmpfs here (needs root): disk-full training case skipped");
        try {
            FuzzSuiteTest.fill(mnt);
            // room for the run's config and metrics, not for a checkpoint
            try (Stream<Path> s = Files.list(mnt)) {
                for (Path f : s.filter(p -> p.getFileName().toString().startsWith("fill")).limit(12).toList()) {
                    Files.delete(f);
                }
            }
            Path run = mnt.resolve("run");
            CliTestSupport.Run r = train(run, "--max-steps", "400");
            assertEquals(ExitCodes.OUTPUT_FAILED, r.exitCode(), r.err());
            assertTrue(r.err().contains("No space left") || r.err().contains("cannot write"), r.err());
            try (Stream<Path> s = Files.walk(run)) {
                List<Path> tmp = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
                assertEquals(List.of(), tmp, "temporary files or folders left");
            }
        } finally {
            FuzzSuiteTest.umount(mnt);
        }
    }
}
