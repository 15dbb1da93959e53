package dev.day0.sota;

import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps a baseline's artifacts out of reach of the delta run that is compared with it. The baseline's metrics
 * file defines the baseline directory (its parent); the delta's metrics must live outside it (and not in a
 * directory that contains it), and nothing a review writes may land inside it. Paths are compared after
 * resolving symbolic links, so a link cannot smuggle the delta into the baseline directory.
 */
public final class BaselineGuard {
    private final Path baselineFile;
    private final Path baselineDir;

    /** @param baselineMetrics the baseline's metrics.json; it must exist */
    public BaselineGuard(Path baselineMetrics) {
        if (!Files.isRegularFile(baselineMetrics)) {
            throw new InputException(baselineMetrics.toString(), "", Files.exists(baselineMetrics)
                    ? "is not a regular file" : "file not found: the baseline must be a finished, judged run");
        }
        this.baselineFile = resolve(baselineMetrics);
        this.baselineDir = baselineFile.getParent();
    }

    public Path baselineDir() {
        return baselineDir;
    }

    /** Refuses a delta metrics path that is the baseline file, lies in its directory or contains it. */
    public void checkDelta(Path deltaMetrics) {
        Path delta = resolve(deltaMetrics);
        if (delta.equals(baselineFile) || sameFile(deltaMetrics, baselineFile)) {
            throw new InputException("--delta", "", deltaMetrics + " is the baseline's own metrics file");
        }
        if (delta.startsWith(baselineDir)) {
            throw new InputException("--delta", "", deltaMetrics + " lies inside the baseline directory "
                    + baselineDir + ": a delta run keeps its artifacts in a directory of its own, where they "
                    + "cannot overwrite the baseline's");
        }
        Path deltaDir = delta.getParent();
        if (deltaDir != null && baselineDir.startsWith(deltaDir)) {
            throw new InputException("--delta", "", "the baseline directory " + baselineDir + " lies inside the "
                    + "delta directory " + deltaDir + ": a delta run writing there could overwrite the baseline");
        }
    }

    /** Refuses an output file inside the baseline directory or on top of the delta's metrics. */
    public void checkOutput(String option, Path output, Path deltaMetrics) {
        Path out = resolve(output);
        if (out.startsWith(baselineDir)) {
            throw new InputException(option, "", output + " lies inside the baseline directory " + baselineDir
                    + ": baseline artifacts are never overwritten or added to by a review");
        }
        if (deltaMetrics != null && (out.equals(resolve(deltaMetrics)) || sameFile(output, deltaMetrics))) {
            throw new InputException(option, "", output + " is the delta's metrics file: it would be overwritten");
        }
    }

    /**
     * The absolute path with every existing part's symbolic links resolved; parts that do not exist yet are
     * appended as written (normalized).
     */
    public static Path resolve(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            Path real = existing.toRealPath();
            return real.resolve(existing.relativize(absolute)).normalize();
        } catch (IOException e) {
            return absolute;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
