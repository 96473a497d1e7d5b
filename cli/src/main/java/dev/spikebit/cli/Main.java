package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.data.DataException;
import dev.spikebit.runtime.RuntimeModelException;
import dev.spikebit.runtime.io.OneLine;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
            DiffCommand.class,
            ModelsCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Exit code of every failure the user can fix: bad input, a bad file, an option out of range. */
    public static final int USER_ERROR = 1;
    /** Exit code of a failure inside spikebit itself (a bug): reported in one line too, stack with --debug. */
    public static final int INTERNAL_ERROR = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--debug",
            scope = ScopeType.INHERIT,
            description = "On an error, print the Java stack trace too (otherwise one line).")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line. Every failure becomes one line on stderr, {@code spikebit: <file or
     * option>: <what is wrong>}: exit code 1 for bad input or options, 70 for an internal error.
     * {@code --debug} adds the stack trace.
     */
    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    /** {@link #run(String...)} with the error line going to {@code err} (tests read it from there). */
    static int run(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter to = commandLine.getErr();
            int code = report(ex, to);
            if (debugRequested(parseResult)) {
                ex.printStackTrace(to);
            }
            to.flush();
            return code;
        });
        cli.setParameterExceptionHandler((ex, args1) -> {
            PrintWriter to = ex.getCommandLine().getErr();
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            to.println("spikebit: " + oneLine(ex.getMessage()) + " (see '" + command + " --help')");
            to.flush();
            return USER_ERROR;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Errors pass picocli's handler; they still get their one line.
            int code = report(e, err);
            if (List.of(args).contains("--debug")) {
                e.printStackTrace(err);
            }
            err.flush();
            return code;
        }
    }

    /** Prints the one line for {@code ex} and returns the exit code. */
    static int report(Throwable ex, PrintWriter err) {
        // Work done on other threads (prefetching, parallel kernels) arrives wrapped.
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (isUserError(t)) {
                err.println("spikebit: " + oneLine(t.getMessage()));
                return USER_ERROR;
            }
            if (t instanceof UncheckedIOException io) {
                err.println("spikebit: " + oneLine(io.getCause().toString()));
                return USER_ERROR;
            }
        }
        if (ex instanceof OutOfMemoryError) {
            err.println("spikebit: out of memory (" + oneLine(ex.getMessage()) + "); use a smaller --batch or give "
                    + "the JVM more heap through SPIKEBIT_JAVA_OPTS, e.g. -Xmx16g");
            return USER_ERROR;
        }
        err.println("spikebit: internal error: " + ex + " (a bug; run again with --debug for the stack trace)");
        return INTERNAL_ERROR;
    }

    /** The exceptions the modules raise for input a user can fix; their messages name the file or option. */
    static boolean isUserError(Throwable ex) {
        return ex instanceof SpikebitException || ex instanceof DataException || ex instanceof RuntimeModelException;
    }

    private static boolean debugRequested(CommandLine.ParseResult result) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Messages that span lines (a parser's excerpt, say) are folded so the report stays one line. */
    static String oneLine(String message) {
        return message == null ? "(no message)" : OneLine.folded(message);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
