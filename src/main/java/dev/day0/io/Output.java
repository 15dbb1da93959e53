package dev.day0.io;

/**
 * Where the engine's messages go when it runs for a caller: machine text (documents, event lines) and lines for
 * people. The command line's console is one; the release conductor routes a stage's output into its log. The
 * engine writes through this and never through the command layer.
 */
public interface Output {
    /** Machine-readable text (a JSON document or event line) with its line ending, for stdout. */
    void print(String text);

    /** A progress or error line for people, for stderr. */
    void info(String line);
}
