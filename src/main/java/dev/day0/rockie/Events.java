package dev.day0.rockie;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.io.Output;
import dev.day0.redact.Redactor;
import java.util.function.Consumer;

/**
 * What a rockie command tells the world: JSON event lines on stdout (for machines) and plain lines on stderr (for
 * people). Both pass this command's redactor (which knows the job's secret env values) and then the console's.
 */
public final class Events {
    private final Consumer<String> eventText;
    private final Consumer<String> lines;
    private final Redactor redactor;

    /** Events for a command: event lines go to the output's machine text, plain lines to its people lines. */
    public Events(Output output, Redactor redactor) {
        this(output::print, output::info, redactor);
    }

    private Events(Consumer<String> eventText, Consumer<String> lines, Redactor redactor) {
        this.eventText = eventText;
        this.lines = lines;
        this.redactor = redactor;
    }

    /**
     * Events for a caller that is not a command (the release conductor): JSON event lines and plain lines each
     * go to their own sink, after this redactor.
     */
    public static Events to(Consumer<String> eventLines, Consumer<String> plainLines, Redactor redactor) {
        return new Events(text -> eventLines.accept(text.strip()), plainLines, redactor);
    }

    public Redactor redactor() {
        return redactor;
    }

    public void event(ObjectNode event) {
        eventText.accept(Json.writeLine(redactor.redactJson(event)) + System.lineSeparator());
    }

    public void say(String line) {
        lines.accept(redactor.redact(line));
    }

    /** Prints a refusal: one line for people, one {@code refused} event for machines; returns the exit code. */
    public int refused(String command, RockieException e) {
        say(command + ": " + e.getMessage());
        ObjectNode event = Json.object();
        event.put("event", "refused");
        event.put("reason", e.reason());
        event.put("exit_code", e.exitCode());
        event.put("detail", e.getMessage());
        event.set("exit", SubmitFlow.exitJson(e.exitCode()));
        event(event);
        return e.exitCode();
    }
}
