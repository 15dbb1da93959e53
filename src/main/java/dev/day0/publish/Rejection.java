package dev.day0.publish;

import dev.day0.io.InputException;
import dev.day0.io.VerbatimFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Marks an export that was not accepted, so that it cannot be picked by mistake (a day-0 run leaves near-identical
 * sibling exports; a prefix also defeats shell autocompletion): the directory is renamed in place to
 * {@code REJECTED-<name>}. The rename is atomic, so a reader sees either name, never half of a move.
 */
public final class Rejection {
    public static final String PREFIX = "REJECTED-";

    private Rejection() {
    }

    /**
     * Renames {@code checkpoint}; returns the new path (or the same path when it already carries the prefix).
     *
     * @param workDir when given, {@code checkpoint} must lie inside it: the mark never moves a directory elsewhere
     */
    public static Path mark(Path checkpoint, Path workDir) {
        Path dir = checkpoint.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new InputException("--checkpoint", "", checkpoint + " is not a directory");
        }
        if (workDir != null) {
            Path work = workDir.toAbsolutePath().normalize();
            if (!dir.startsWith(work) || dir.equals(work)) {
                throw new InputException("--checkpoint", "", checkpoint + " is not inside the work directory "
                        + workDir);
            }
        }
        if (dir.getFileName().toString().startsWith(PREFIX)) {
            return dir;
        }
        Path target = dir.resolveSibling(PREFIX + dir.getFileName());
        if (Files.exists(target)) {
            throw new InputException("--checkpoint", "", target + " already exists; remove or rename it first");
        }
        try {
            return VerbatimFiles.rename(dir, target);
        } catch (IOException e) {
            throw new InputException("--checkpoint", "", "cannot rename " + dir + " to " + target + ": "
                    + e.getMessage(), e);
        }
    }
}
