package dev.day0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.day0.io.AtomicFiles;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Where a command's output goes: documents to stdout (or {@code --out FILE}), people-facing lines to stderr.
 * Everything passes through the {@link Redactor} first; there is no other way for a command to print.
 */
public final class Console {
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
        String text = redactor.redact(Json.write(document)) + System.lineSeparator();
        if (file == null) {
            out.print(text);
            out.flush();
        } else {
            AtomicFiles.write(file, text);
        }
    }

    /**
     * A copy of a document with every string value redacted on its own. Redacting the serialized text alone can
     * cut an escape sequence in half (a secret-shaped value followed by an escaped quote) and leave invalid JSON;
     * commands that put text from a server into a document pass it through here before {@link #document}.
     */
    public static JsonNode redactValues(JsonNode node, Redactor redactor) {
        if (node.isTextual()) {
            return TextNode.valueOf(redactor.redact(node.textValue()));
        }
        if (node.isObject()) {
            ObjectNode copy = Json.object();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), redactValues(e.getValue(), redactor)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.array();
            node.forEach(item -> copy.add(redactValues(item, redactor)));
            return copy;
        }
        return node;
    }

    /** Prints a line of text to stdout (for commands whose output is meant for people). */
    public void print(String text) {
        out.print(redactor.redact(text));
        out.flush();
    }

    /** A progress or error line for people, on stderr. */
    public void info(String line) {
        err.println(redactor.redact(line));
        err.flush();
    }

    /** Writes a text file through the redactor. */
    public void writeFile(Path file, String text) {
        AtomicFiles.write(file, redactor.redact(text));
    }

    public PrintWriter rawErr() {
        return err;
    }
}
