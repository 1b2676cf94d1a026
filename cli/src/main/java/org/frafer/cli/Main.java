package org.frafer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/fra-fer}. Each sub-command lives in its own class. */
@Command(
        name = "fra-fer",
        mixinStandardHelpOptions = true,
        version = "fra-fer 0.1.0",
        description =
                "Personalized facial emotion recognition with face-recognition attention (FRA-FER).",
        subcommands = {
            ModelCommand.class,
            FacesCommand.class,
            DataCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            CalibrateCommand.class,
            CompareCommand.class,
            PredictCommand.class,
            ExplainCommand.class,
            AssetsCommand.class,
            PersonCommand.class,
            org.frafer.bench.PerformanceBench.class,
            org.frafer.serve.ServeCommand.class,
            org.frafer.video.cli.VideoCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static {
        // ImageIO's default stream cache is a file in java.io.tmpdir: on a full disk its
        // StreamCloser throws at exit
        javax.imageio.ImageIO.setUseCache(false);
    }

    public static CommandLine commandLine() {
        return commandLine(CliServices.real());
    }

    /** The command line with the given networks and datasets (train and evaluate use them). */
    public static CommandLine commandLine(CliServices services) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory =
                new CommandLine.IFactory() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <K> K create(Class<K> cls) throws Exception {
                        if (cls == TrainCommand.class) {
                            return (K) new TrainCommand(services);
                        }
                        if (cls == EvaluateCommand.class) {
                            return (K) new EvaluateCommand(services);
                        }
                        if (cls == CalibrateCommand.class) {
                            return (K) new CalibrateCommand(services);
                        }
                        return defaults.create(cls);
                    }
                };
        return new CommandLine(new Main(), factory).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
