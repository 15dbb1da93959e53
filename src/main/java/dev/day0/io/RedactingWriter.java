package dev.day0.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.redact.Redactor;
import java.nio.file.Path;

/**
 * How the engine writes a document or a text file: through its redactor, then atomically (a reader never sees
 * half a file). One place, so a write cannot forget the redaction.
 */
public final class RedactingWriter {
    private final Redactor redactor;

    public RedactingWriter(Redactor redactor) {
        this.redactor = redactor;
    }

    public Redactor redactor() {
        return redactor;
    }

    /** A JSON document with its secret-named fields and secret values masked, as one file ending in a newline. */
    public void json(Path file, JsonNode document) {
        AtomicFiles.write(file, Json.write(redactor.redactJson(document)) + "\n");
    }

    /** A text file with every secret the redactor knows masked. */
    public void text(Path file, String text) {
        AtomicFiles.write(file, redactor.redact(text));
    }
}
