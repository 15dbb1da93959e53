package dev.day0.io;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The process's stdout and stderr, and the only place in the engine that touches {@link System#out} and
 * {@link System#err} (PackageArchitectureTest). They are handed to the command line's console, which redacts every
 * document and line it prints, and to picocli for its usage help, which is the program's own text.
 */
public final class StandardStreams {
    private StandardStreams() {
    }

    public static PrintWriter stdout() {
        return new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    }

    public static PrintWriter stderr() {
        return new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    }
}
