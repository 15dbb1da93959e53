package dev.day0.testing;

import dev.day0.cli.Day0;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs a day0 command line in this JVM and captures what a user would see: exit code, stdout, stderr.
 * Fast enough for unit tests of every command; {@link Day0Process} runs the real jar for process-level tests.
 */
public final class CliRun {
    private final int exitCode;
    private final String out;
    private final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** What a run through the engine's own entry point (not the command line) showed: for in-process tests. */
    public static CliRun of(int exitCode, String out, String err) {
        return new CliRun(exitCode, out, err);
    }

    public static CliRun run(String... args) {
        return run(Map.of(), args);
    }

    public static CliRun run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Day0.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), new HashMap<>(env));
        return new CliRun(code, out.toString(), err.toString());
    }

    public int exitCode() {
        return exitCode;
    }

    public String out() {
        return out;
    }

    public String err() {
        return err;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
