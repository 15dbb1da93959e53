package dev.day0.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * How the engine writes a document, a text file or a log: through its redactor, then atomically (a reader never
 * sees half a file) or, for a log, line by line. One place, so a write cannot forget the redaction; nothing outside
 * {@code dev.day0.io} may write a file or the process's streams (PackageArchitectureTest). The writes that must
 * not be redacted have their own named classes: {@link VerbatimFiles} for bytes kept as they are and
 * {@link SecretFiles} for a key file.
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

    /**
     * A shell script, redacted like any text file and then made executable (rwxr-xr-x) where the file system has
     * POSIX permissions; elsewhere the script is still there to submit as text.
     */
    public void script(Path file, String text) {
        text(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the mode is a convenience, the content is what is submitted.
        }
    }

    /**
     * A record that is written once: the redacted document is created under {@code file} unless a file of that
     * name exists, atomically and exclusively (two writers at once leave one whole record).
     *
     * @return false when the file already existed (it is left as it was)
     */
    public boolean jsonOnce(Path file, JsonNode document) throws IOException {
        byte[] bytes = (Json.write(redactor.redactJson(document)) + "\n").getBytes(StandardCharsets.UTF_8);
        return AtomicFiles.createExclusive(file, bytes, false);
    }

    /** Opens (creating it and its directory when missing) a log that appends redacted lines. */
    public LineLog appendLog(Path file) throws IOException {
        return LineLog.open(file, redactor);
    }

    /**
     * A text file as the redactor writes it: what {@link #text} would put on disk, for comparing with a file that
     * is already there.
     */
    public String asWritten(String text) {
        return redactor.redact(text);
    }
}
