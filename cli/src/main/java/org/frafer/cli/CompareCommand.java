package org.frafer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.frafer.eval.EvalReport;
import org.frafer.eval.ReportComparison;
import org.frafer.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fra-fer compare}: evaluation reports side by side. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Compares evaluation reports (fra-fer evaluate --out) in one table: overall metrics and per-class recall.",
        footer = {
            "",
            "Example: fra-fer compare reports/baseline.json reports/fra.json --format markdown"
        })
public final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
            arity = "2..*",
            paramLabel = "REPORT",
            description = "Two or more report JSON files.")
    List<Path> reports;

    @Option(
            names = "--format",
            paramLabel = "FMT",
            defaultValue = "text",
            description = "text (default), csv or markdown.")
    ReportComparison.Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table to FILE.")
    Path out;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (out != null) {
            String problem = OutputPaths.fileProblem("--out", out, reports);
            if (problem != null) {
                throw new CommandLine.ParameterException(cl, problem);
            }
        }
        List<EvalReport> loaded = new ArrayList<>();
        for (Path p : reports) {
            if (!Files.isRegularFile(p)) {
                throw new CommandLine.ParameterException(cl, "report " + p + " does not exist");
            }
            try {
                loaded.add(EvalReport.read(p));
            } catch (RuntimeException e) {
                cl.getErr().println("fra-fer compare: " + e.getMessage());
                return 1;
            }
        }
        List<String> names = new ArrayList<>();
        Set<String> fileNames = new HashSet<>();
        boolean unique = reports.stream().allMatch(p -> fileNames.add(p.getFileName().toString()));
        for (Path p : reports) {
            names.add(unique ? p.getFileName().toString() : p.toString());
        }
        String table = new ReportComparison(names, loaded).render(format);
        cl.getOut().print(table);
        cl.getOut().flush();
        if (out != null) {
            try {
                AtomicFiles.Unchecked.writeString(out, table);
            } catch (java.io.UncheckedIOException e) {
                cl.getErr()
                        .println(
                                "fra-fer compare: cannot write "
                                        + out
                                        + ": "
                                        + PredictCommand.describe(e.getCause())
                                        + "; "
                                        + out
                                        + " was left as it was (the table was printed above)");
                return ExitCodes.OUTPUT_FAILED;
            }
        }
        return 0;
    }
}
