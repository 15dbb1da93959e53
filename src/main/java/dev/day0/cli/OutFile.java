package dev.day0.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.ExitCode;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out FILE}, mixed into every command that prints one JSON answer: the answer goes to FILE (atomically,
 * redacted) instead of stdout. One declaration, so the option reads and behaves the same in every command.
 */
public final class OutFile {
    @Option(names = "--out", paramLabel = "FILE", description = "Write the JSON answer here instead of stdout.")
    private Path file;

    /** The file given, or null for stdout. */
    public Path file() {
        return file;
    }

    /** Prints or writes {@code answer} with the meaning of {@code exit} (see {@link Console#answer}). */
    public int answer(Console console, ObjectNode answer, ExitCode exit) {
        return console.answer(answer, exit, file);
    }
}
