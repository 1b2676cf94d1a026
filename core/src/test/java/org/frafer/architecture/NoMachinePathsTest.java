package org.frafer.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * No committed text file names a path of the machine it was written on (docs, configs, reports,
 * tool docstrings use repo-relative paths or $FRAFER_DATA): such paths break on every other machine
 * and leak a local layout.
 */
@Tag("unit")
class NoMachinePathsTest {
    /** Machine roots; spelled in pieces so this file does not match itself. */
    private static final Pattern MACHINE_PATH =
            Pattern.compile(
                    "(?<![\\w.$-])/("
                            + String.join("|", "wo" + "rk", "ro" + "ot", "ho" + "me", "tm" + "p")
                            + ")/[\\w.-]+");

    /** Folders that are build output, fetched or local (git-ignored), not committed files. */
    private static final Set<String> SKIPPED_DIRS =
            Set.of(".git", "target", "node_modules", "assets", ".venv", "out", "runs", ".idea");

    private static final Set<String> TEXT =
            Set.of(
                    "java",
                    "md",
                    "json",
                    "txt",
                    "py",
                    "js",
                    "sh",
                    "xml",
                    "yml",
                    "yaml",
                    "csv",
                    "html",
                    "svg",
                    "properties",
                    "cfg",
                    "toml");

    @Test
    void committedTextFilesHaveNoAbsoluteMachinePaths() throws IOException {
        Path repo = Path.of(System.getProperty("frafer.repo", "..")).toAbsolutePath().normalize();
        assertTrue(
                Files.isDirectory(repo.resolve("core"))
                        && Files.isRegularFile(repo.resolve("pom.xml")),
                "repository root not found: " + repo);
        List<String> hits = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(repo)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !skipped(repo.relativize(p)))
                    .filter(NoMachinePathsTest::isText)
                    .forEach(p -> scan(repo, p, hits));
        }
        assertTrue(
                hits.isEmpty(),
                "absolute machine paths (use repo-relative paths or $FRAFER_DATA):\n"
                        + String.join("\n", hits));
    }

    @Test
    void thePatternCatchesWhatItShould() {
        assertTrue(MACHINE_PATH.matcher("see /" + "work/main/tools/.venv").find());
        assertTrue(MACHINE_PATH.matcher("\"model\": \"/" + "root/runs/x\"").find());
        assertTrue(!MACHINE_PATH.matcher("tools/.venv/bin/python and $FRAFER_DATA/ferplus").find());
        assertTrue(
                !MACHINE_PATH.matcher("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4").find());
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isText(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && TEXT.contains(name.substring(dot + 1))
                || name.equals("Dockerfile")
                || !name.contains(".")
                        && Set.of("bin", ".ci").contains(p.getParent().getFileName().toString());
    }

    private static void scan(Path repo, Path file, List<String> hits) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            return; // not UTF-8 text
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MACHINE_PATH.matcher(lines.get(i));
            if (m.find()) {
                hits.add(repo.relativize(file) + ":" + (i + 1) + ": " + m.group());
            }
        }
    }
}
