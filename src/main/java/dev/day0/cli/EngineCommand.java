package dev.day0.cli;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Base of every leaf command: gives it the console (redacted output) and the process environment, and makes
 * {@link #call()} return the exit code.
 */
public abstract class EngineCommand implements Callable<Integer> {
    private Console console;
    private Map<String, String> env;

    final void attach(Console console, Map<String, String> env) {
        this.console = console;
        this.env = env;
    }

    protected Console console() {
        return console;
    }

    protected Map<String, String> env() {
        return env;
    }
}
