package org.frafer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.frafer.Assets;
import org.frafer.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fra-fer assets}: where the face models are looked for, and a one-time copy into the
 * per-user folder so the library works outside a checkout without {@code -Dfrafer.assets}. Nothing
 * is downloaded.
 */
@Command(
        name = "assets",
        mixinStandardHelpOptions = true,
        description =
                "Face-model assets: 'where' shows the folder in use, 'install DIR' copies an assets folder into the per-user folder.",
        subcommands = {AssetsCommand.Where.class, AssetsCommand.Install.class})
public final class AssetsCommand implements Callable<Integer> {
    /** The files the library loads (below the assets root). */
    static final List<String> REQUIRED =
            List.of(
                    "human-models/models/blazeface-back.json",
                            "human-models/models/blazeface-back.bin",
                    "human-models/models/blazeface-front.json",
                            "human-models/models/blazeface-front.bin",
                    "human-models/models/faceres.json", "human-models/models/faceres.bin");

    /** Copied too when present (other FR backbones, licences, sample photos). */
    static final List<String> OPTIONAL_DIRS = List.of("human-models", "face-api", "samples");

    @Override
    public Integer call() {
        return new Where().call();
    }

    @Command(
            name = "where",
            mixinStandardHelpOptions = true,
            description = "Prints the assets folder in use and whether the face models are there.")
    static final class Where implements Callable<Integer> {
        @Override
        public Integer call() {
            Path root = Assets.root();
            List<String> missing =
                    REQUIRED.stream().filter(r -> !Files.isRegularFile(root.resolve(r))).toList();
            System.out.println(
                    "assets folder: "
                            + root
                            + (missing.isEmpty() ? " (complete)" : " (missing " + missing + ")"));
            System.out.println(
                    "looked at: -Dfrafer.assets, FRAFER_ASSETS, ./assets, then "
                            + Assets.userDir());
            return missing.isEmpty() ? ExitCodes.OK : ExitCodes.INPUT_FAILED;
        }
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description =
                    "Copies the face models (and sample photos) of an assets folder made by bin/setup / tools/fetch-assets.sh into the per-user folder.")
    static final class Install implements Callable<Integer> {
        @Parameters(
                paramLabel = "FROM_DIR",
                description =
                        "An assets folder (holds human-models/models/blazeface-back.json ...).")
        Path from;

        @Option(
                names = "--to",
                paramLabel = "DIR",
                description = "Target folder (default: the per-user folder, see 'assets where').")
        Path to;

        @Override
        public Integer call() {
            Path target = to != null ? to : Assets.userDir();
            List<String> missing =
                    REQUIRED.stream().filter(r -> !Files.isRegularFile(from.resolve(r))).toList();
            if (!Files.isDirectory(from) || !missing.isEmpty()) {
                System.err.println(
                        "assets install: "
                                + from
                                + " is not an assets folder (missing "
                                + (Files.isDirectory(from) ? missing : "the folder")
                                + "); make one with bin/setup or tools/fetch-assets.sh");
                return ExitCodes.USAGE;
            }
            List<Path> files = new ArrayList<>();
            try {
                for (String d : OPTIONAL_DIRS) {
                    Path dir = from.resolve(d);
                    if (Files.isDirectory(dir)) {
                        files.addAll(FileTree.list(dir, new ArrayList<>()));
                    }
                }
                int copied = 0;
                for (Path f : files) {
                    Path dest = target.resolve(from.relativize(f).toString());
                    if (Files.isRegularFile(dest)
                            && Files.size(dest) == Files.size(f)
                            && Files.mismatch(dest, f) == -1) {
                        continue;
                    }
                    AtomicFiles.write(dest, out -> Files.copy(f, out));
                    copied++;
                }
                System.out.println(
                        "installed "
                                + copied
                                + " file(s) ("
                                + (files.size() - copied)
                                + " already there) into "
                                + target);
                return ExitCodes.OK;
            } catch (IOException | RuntimeException e) {
                System.err.println(
                        "assets install: cannot copy into "
                                + target
                                + ": "
                                + PredictCommand.describe(e)
                                + "; files already copied are complete (each is written whole or not at all)");
                return ExitCodes.OUTPUT_FAILED;
            }
        }
    }
}
