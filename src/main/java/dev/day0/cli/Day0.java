package dev.day0.cli;

import dev.day0.core.CommonExit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.gates.GateResult;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.StandardStreams;
import dev.day0.redact.Redactor;
import dev.day0.redact.UnmaskableSecretException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The {@code day0} command: one engine for Jenkins steps, other CI systems and a shell. */
@Command(name = "day0",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Drive a quantized model or a research baseline through gated stages to a decision.",
        footer = {"", "Commands with their own exit codes list them in their --help; all are in docs/exit-codes.md."})
@ExitCodeFamily(CommonExit.class)
public final class Day0 implements Runnable {
    /**
     * The commands under {@code day0} by name, in the order {@code --help} lists them. Not in the {@code @Command}
     * annotation, because picocli builds the model of every subcommand named there by reflection before parsing;
     * {@link #execute} adds only the one the command line names (none for {@code --version}; all of them for
     * {@code --help}, {@code help} or anything it does not know), which saves a gate call tens of milliseconds.
     * The names are written here rather than read from each class's annotation because reading an annotation loads
     * every class it names (each command's subcommands), for every command, before one is chosen; {@code Day0Test}
     * holds each name to its class's {@code @Command(name)}.
     */
    static final Map<String, Class<?>> COMMANDS = commands(
            "release", dev.day0.cli.release.ReleaseCommand.class,
            "gate", GateCommand.class,
            "inspect", InspectCommand.class,
            "probe", dev.day0.cli.serving.ProbeCommand.class,
            "mlflow", dev.day0.cli.mlflow.MlflowCommand.class,
            "rockie", dev.day0.cli.rockie.RockieCommand.class,
            "slurm", dev.day0.cli.slurm.SlurmCommand.class,
            "sota", dev.day0.cli.sota.SotaCommand.class,
            "triage", TriageCommand.class,
            "publish", PublishCommand.class,
            "report", ReportCommand.class,
            "help", CommandLine.HelpCommand.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final Console console;

    public Day0(Console console) {
        this.console = console;
    }

    public Console console() {
        return console;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        PrintWriter out = StandardStreams.stdout();
        PrintWriter err = StandardStreams.stderr();
        int code = execute(args, out, err, System.getenv());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; the entry point for tests and for {@link #main}. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        CommandLine commandLine;
        try {
            commandLine = commandLine(out, err, env, args);
        } catch (UnmaskableSecretException e) {
            err.println("day0: " + e.getMessage());
            err.flush();
            return CommonExit.INPUT.code();
        }
        return commandLine.execute(args);
    }

    /**
     * The command line {@link #execute} runs, for callers that run many command lines in one JVM (the gate fuzz
     * campaign): building it costs far more than a gate, and picocli resets every option before each parse.
     *
     * @throws UnmaskableSecretException when a configured secret is too short to be masked reliably
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
        return commandLine(out, err, env, new String[0]);
    }

    /** The command line for {@code args}: the whole tree, less the subcommands {@code args} can be seen not to need. */
    private static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env, String[] args) {
        Redactor redactor = Redactor.fromEnvironment(env);
        Console console = new Console(out, err, redactor);
        Factory factory = new Factory(console, env);
        CommandLine commandLine = new CommandLine(new Day0(console), factory);
        String first = args.length == 0 ? null : args[0];
        if ("help".equals(first) && args.length > 1 && COMMANDS.containsKey(args[1])) {
            // 'day0 help gate' shows gate's own help: the help command and gate, with all of gate's subcommands.
            addSubcommands(commandLine, Map.of("help", COMMANDS.get("help")), args, 0, factory);
            addSubcommands(commandLine, Map.of(args[1], COMMANDS.get(args[1])), new String[0], 0, factory);
        } else if ("help".equals(first)) {
            addSubcommands(commandLine, COMMANDS, new String[0], 0, factory);
        } else if (!"--version".equals(first) && !"-V".equals(first)) {
            addSubcommands(commandLine, COMMANDS, args, 0, factory);
        }
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // "@FILE" is day0's own convention for JSON options (--scales, --tasks): picocli must not expand it as an
        // argument file.
        commandLine.setExpandAtFiles(false);
        commandLine.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine failed = ex.getCommandLine();
            String name = failed.getCommandSpec().qualifiedName();
            String line = Console.oneLine(name + ": " + ex.getMessage());
            console.info(line);
            console.info("Try '" + name + " --help' for the options.");
            return failure(console, GateResult.inputError(line), ex);
        });
        commandLine.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            if (ex instanceof InputException input) {
                String line = Console.oneLine(input.getMessage());
                console.info(line);
                return failure(console, GateResult.inputError(line), ex);
            }
            if (ex instanceof UncheckedIOException io) {
                String line = Console.oneLine(String.valueOf(io.getMessage()));
                console.info("day0: " + line);
                return failure(console, GateResult.inputError(line), ex);
            }
            String what = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
            console.info("day0: internal error, please report it: " + what);
            var json = Json.object();
            json.put("pass", false);
            json.put("failure_class", "UNKNOWN");
            json.put("detail", "internal error: " + what);
            return failure(console, json, ex);
        });
        commandLine.setExitCodeExceptionMapper(new ExitCodeMapper());
        ExitCodeHelp.apply(commandLine);
        return commandLine;
    }

    /** Prints the failure document with the {@code exit} object of the code {@code ex} maps to; returns it. */
    private static int failure(Console console, ObjectNode document, Throwable ex) {
        CommonExit exit = ExitCodeMapper.exitFor(ex);
        document.set("exit", exit.toJson());
        console.document(document, null);
        return exit.code();
    }

    /**
     * Adds to {@code parent} the subcommand {@code args[depth]} names, with its own subcommands chosen the same way
     * from the next argument; every one of {@code children} when that argument names none of them (an option, a
     * typo, the end of the line), so picocli parses, explains and suggests exactly as with the whole tree.
     */
    private static void addSubcommands(CommandLine parent, Map<String, Class<?>> children, String[] args, int depth,
            Factory factory) {
        Class<?> named = depth < args.length ? children.get(args[depth]) : null;
        Map<String, Class<?>> added = named != null ? Map.of(args[depth], named) : children;
        for (Map.Entry<String, Class<?>> child : added.entrySet()) {
            CommandLine sub = new CommandLine(child.getValue(), factory);
            addSubcommands(sub, subcommandsOf(child.getValue()), args, depth + 1, factory);
            parent.addSubcommand(child.getKey(), sub);
        }
    }

    /** The subcommands a group declares with {@link Subcommands}, by their {@code @Command} names. */
    static Map<String, Class<?>> subcommandsOf(Class<?> type) {
        Subcommands declared = type.getAnnotation(Subcommands.class);
        if (declared == null) {
            return Map.of();
        }
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> child : declared.value()) {
            byName.put(child.getAnnotation(Command.class).name(), child);
        }
        return byName;
    }

    private static Map<String, Class<?>> commands(Object... nameThenType) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenType.length; i += 2) {
            byName.put((String) nameThenType[i], (Class<?>) nameThenType[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** Gives every command the console and the environment, so nothing reaches for globals. */
    static final class Factory implements CommandLine.IFactory {
        private final Console console;
        private final Map<String, String> env;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Console console, Map<String, String> env) {
            this.console = console;
            this.env = env;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == Day0.class) {
                return type.cast(new Day0(console));
            }
            K instance = fallback.create(type);
            if (instance instanceof EngineCommand command) {
                command.attach(console, env);
            }
            return instance;
        }
    }
}
