package dev.day0.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.util.Optional;

/**
 * One exit code of a command family and what it means. Each family is an enum of these; the command line prints
 * the list in {@code --help}, docs/exit-codes.md is checked against it, and every JSON result carries
 * {@code "exit": {"code", "name", "meaning"}} so a caller (a Jenkins step) reads the meaning instead of keeping a
 * copy of the table.
 */
public interface ExitCode {
    /** The process exit status. */
    int code();

    /** What the code tells the caller, as one sentence fragment ("the gate ran and failed"). */
    String meaning();

    /** The constant's name (enums provide it). */
    String name();

    /** {@code {"code": N, "name": "...", "meaning": "..."}}. */
    default ObjectNode toJson() {
        ObjectNode exit = Json.object();
        exit.put("code", code());
        exit.put("name", name());
        exit.put("meaning", meaning());
        return exit;
    }

    /** The member of {@code family} with this code. */
    static <E extends Enum<E> & ExitCode> Optional<E> of(Class<E> family, int code) {
        for (E exit : family.getEnumConstants()) {
            if (exit.code() == code) {
                return Optional.of(exit);
            }
        }
        return Optional.empty();
    }
}
