package org.frafer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.frafer.train.TinyNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train --resume after a damaged latest checkpoint, and training on a full disk (issue 15, items 9
 * and 10).
 */
class ResumeAndDiskFullTrainTest {
    CliServices services;

    TrainEvaluateCompareCliTest.Run run(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine(services);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute(args);
        return new TrainEvaluateCompareCliTest.Run(code, out.toString(), err.toString());
    }

    @TempDir Path dir;

    @BeforeEach
    void synthetic() {
        DatasetAccess synthetic = SyntheticDatasets.fourClasses(r -> 64, null, false);
        services =
                new CliServices(
                        c -> new TinyNetwork(c, true, 1),
                        dir -> TinyNetwork.load(dir, true),
                        synthetic);
    }

    private TrainEvaluateCompareCliTest.Run train(Path run, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--data",
                                dir.toString(),
                                "--format",
                                "folder",
                                "--no-val",
                                "--input-size",
                                "32",
                                "--batch",
                                "16",
                                "--epochs",
                                "2",
                                "--checkpoint-every",
                                "2",
                                "--out",
                                run.toString(),
                                "--no-progress"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    @Test
    void resumeSkipsATruncatedLatestCheckpointAndNamesIt() throws Exception {
        Path run = dir.resolve("run");
        TrainEvaluateCompareCliTest.Run first = train(run, "--max-steps", "4");
        assertEquals(0, first.code(), first.err());
        String latest = Files.readString(run.resolve("checkpoints/latest")).trim();
        Path weights = run.resolve("checkpoints").resolve(latest).resolve("weights.safetensors");
        byte[] all = Files.readAllBytes(weights);
        Files.write(
                weights, java.util.Arrays.copyOf(all, all.length / 2)); // a copy cut off half-way
        TrainEvaluateCompareCliTest.Run resumed =
                run("train", "--resume", run.toString(), "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(
                resumed.err().contains(weights.toString()),
                "names the damaged file:\n" + resumed.err());
        assertTrue(resumed.err().contains("previous intact checkpoint"), resumed.err());
    }

    @Test
    void noIntactCheckpointIsAClearError() throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, train(run, "--max-steps", "2").code());
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            for (Path cp : s.filter(Files::isDirectory).toList()) {
                Files.write(cp.resolve("weights.safetensors"), new byte[] {1, 2, 3});
            }
        }
        TrainEvaluateCompareCliTest.Run resumed =
                run("train", "--resume", run.toString(), "--no-progress");
        assertEquals(ExitCodes.USAGE, resumed.code(), resumed.err());
        assertTrue(
                resumed.err().contains("no intact checkpoint")
                        && resumed.err().contains("weights.safetensors"),
                resumed.err());
        assertTrue(
                resumed.err().lines().count() <= 3,
                resumed.err()); // the dataset line, the damaged checkpoint, the error
    }

    @Test
    void fullDiskDuringTrainingLeavesNoTemporaryFolder() throws Exception {
        Path mnt = FuzzSuiteTest.tmpfs(dir.resolve("mnt"), "size=256k");
        Assumptions.assumeTrue(
                mnt != null,
                "cannot mount a tmpfs here (needs root): disk-full training case skipped");
        try {
            FuzzSuiteTest.fill(mnt);
            // room for the run's config and metrics, not for a checkpoint
            try (Stream<Path> s = Files.list(mnt)) {
                for (Path f :
                        s.filter(p -> p.getFileName().toString().startsWith("fill"))
                                .limit(12)
                                .toList()) {
                    Files.delete(f);
                }
            }
            Path run = mnt.resolve("run");
            TrainEvaluateCompareCliTest.Run r = train(run, "--max-steps", "400");
            assertEquals(ExitCodes.OUTPUT_FAILED, r.code(), r.err());
            assertTrue(
                    r.err().contains("No space left") || r.err().contains("cannot write"), r.err());
            try (Stream<Path> s = Files.walk(run)) {
                List<Path> tmp =
                        s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
                assertEquals(List.of(), tmp, "temporary files or folders left");
            }
        } finally {
            FuzzSuiteTest.umount(mnt);
        }
    }
}
