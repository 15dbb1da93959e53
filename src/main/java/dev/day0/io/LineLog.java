package dev.day0.io;

import dev.day0.redact.Redactor;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An append-only log of lines, such as the output a stage's process, Slurm job or Rockie job streams while it
 * runs: each line is redacted, appended and flushed at once, so a reader following the file (or a run that
 * crashed) has every line printed so far and none of its secrets. Opened by {@link RedactingWriter#appendLog}.
 */
public final class LineLog implements Closeable {
    private final Path file;
    private final Redactor redactor;
    private final BufferedWriter writer;

    private LineLog(Path file, Redactor redactor, BufferedWriter writer) {
        this.file = file;
        this.redactor = redactor;
        this.writer = writer;
    }

    static LineLog open(Path file, Redactor redactor) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return new LineLog(file, redactor, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    /**
     * The same log, redacting with {@code other} (a redactor that knows more of this run's secrets than the one the
     * log was opened with). Closing either closes the file.
     */
    public LineLog redactingWith(Redactor other) {
        return new LineLog(file, other, writer);
    }

    public Path file() {
        return file;
    }

    /**
     * Redacts the line and appends it. A line that cannot be written (a full disk) is dropped rather than ending
     * the stage or the job being followed: the console still shows it.
     *
     * @return the line as written, for the caller to show on the console without redacting it twice
     */
    public String append(String line) {
        String text = redactor.redact(line);
        synchronized (writer) {
            try {
                writer.write(text);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                // dropped on purpose, see above
            }
        }
        return text;
    }

    @Override
    public void close() throws IOException {
        synchronized (writer) {
            writer.close();
        }
    }
}
