package org.frafer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/fra-fer}. Each sub-command lives in its own class. */
@Command(name = "fra-fer", mixinStandardHelpOptions = true, version = "fra-fer 0.1.0",
        description = "Personalized facial emotion recognition with face-recognition attention (FRA-FER).",
        subcommands = {
            ModelCommand.class,
            FacesCommand.class,
            DataCommand.class,
            TrainCommand.class, EvaluateCommand.class, CompareCommand.class,
            PredictCommand.class, ExplainCommand.class,
            org.frafer.bench.PerformanceBench.class,
            org.frafer.serve.ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
