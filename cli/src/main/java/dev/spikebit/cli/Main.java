package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.DataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spikebit} command. */
@Command(
        name = "spikebit",
        mixinStandardHelpOptions = true,
        version = "spikebit 0.1.0",
        description = "Train spiking neural networks with surrogate gradients, compress them to one bit or less "
                + "per weight, and run them without multiplications.",
        subcommands = {
            QuickstartCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            DeployCommand.class,
            InspectCommand.class,
            InferCommand.class,
            CodebookCommand.class,
            CompressCommand.class,
            ExperimentCommand.class,
            BenchCommand.class,
            ModelsCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; user-facing failures become one line on stderr and exit code 1. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof SpikebitException || ex instanceof DataException) {
                commandLine.getErr().println("spikebit: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
