package dev.day0.rockie;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Console;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;

/**
 * What a rockie command tells the world: JSON event lines on stdout (for machines) and plain lines on stderr (for
 * people). Both pass this command's redactor (which knows the job's secret env values) and then the console's.
 */
final class Events {
    private final Console console;
    private final Redactor redactor;

    Events(Console console, Redactor redactor) {
        this.console = console;
        this.redactor = redactor;
    }

    Redactor redactor() {
        return redactor;
    }

    void event(ObjectNode event) {
        console.print(Json.writeLine(redactor.redactJson(event)) + System.lineSeparator());
    }

    void say(String line) {
        console.info(redactor.redact(line));
    }

    /** Prints a refusal: one line for people, one {@code refused} event for machines; returns the exit code. */
    int refused(String command, RockieException e) {
        say(command + ": " + e.getMessage());
        ObjectNode event = Json.object();
        event.put("event", "refused");
        event.put("reason", e.reason());
        event.put("exit_code", e.exitCode());
        event.put("detail", e.getMessage());
        event(event);
        return e.exitCode();
    }
}
