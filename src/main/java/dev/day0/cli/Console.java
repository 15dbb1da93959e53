package dev.day0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.ExitCode;
import dev.day0.io.Json;
import dev.day0.io.Output;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Where a command's output goes: documents to stdout (or {@code --out FILE}), people-facing lines to stderr.
 * Everything passes through the {@link Redactor} first; there is no other way for a command to print.
 */
public final class Console implements Output {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Redactor redactor;

    public Console(PrintWriter out, PrintWriter err, Redactor redactor) {
        this.out = out;
        this.err = err;
        this.redactor = redactor;
    }

    public Redactor redactor() {
        return redactor;
    }

    /** Prints one JSON document to stdout, or writes it atomically to {@code file} when given. */
    public void document(JsonNode document, Path file) {
        String text = Json.write(redactor.redactJson(document)) + System.lineSeparator();
        if (file == null) {
            out.print(text);
            out.flush();
        } else {
            new RedactingWriter(redactor).json(file, document);
        }
    }

    /**
     * Prints a command's JSON answer (or writes it to {@code file}) with {@code "exit": {code, name, meaning}} of
     * the code the command ends with, so a caller reads what the code means from the answer itself; returns the code.
     */
    public int answer(ObjectNode answer, ExitCode exit, Path file) {
        answer.set("exit", exit.toJson());
        document(answer, file);
        return exit.code();
    }

    /** Prints a line of text to stdout (for commands whose output is meant for people). */
    @Override
    public void print(String text) {
        out.print(redactor.redact(text));
        out.flush();
    }

    /**
     * An error as one line: a value from the input quoted in a message (a file name, an option, a candidate name)
     * may hold a line break or another control character, which would split the one-line error a pipeline greps
     * or make it print what is not there; each is shown escaped: a line break as backslash-n, a carriage return as
     * backslash-r, a tab as backslash-t, any other as backslash-u and its four hex digits.
     */
    public static String oneLine(String text) {
        StringBuilder line = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c) && c != '\u2028' && c != '\u2029') {
                if (line != null) {
                    line.append(c);
                }
                continue;
            }
            if (line == null) {
                line = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> line.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return line == null ? text : line.toString();
    }

    /** A progress or error line for people, on stderr. */
    @Override
    public void info(String line) {
        err.println(redactor.redact(line));
        err.flush();
    }

    /** Writes a text file through the redactor. */
    public void writeFile(Path file, String text) {
        new RedactingWriter(redactor).text(file, text);
    }

    /** Flushes both streams, for a process about to halt (a test's stop hook) with its output intact. */
    public void flush() {
        out.flush();
        err.flush();
    }

    public PrintWriter rawErr() {
        return err;
    }
}
