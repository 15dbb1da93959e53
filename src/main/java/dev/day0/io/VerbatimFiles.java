package dev.day0.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The writes that must keep bytes exactly as they are, and so cannot pass through the redactor: an evidence file
 * copied into the work directory (the gate, the audit trail and a resume judge it by its digest), an artifact
 * downloaded from the platform (its size is checked against the declared one) and a rename of what is already on
 * disk. None of these methods reads the content as text, prints it or logs it; their error messages name paths
 * only, never content.
 */
public final class VerbatimFiles {
    private static final int BUFFER = 1 << 16;

    private VerbatimFiles() {
    }

    /**
     * Copies an evidence file to {@code target}, byte for byte, replacing an older copy.
     *
     * @throws UncheckedIOException naming both paths when the copy fails
     */
    public static void copyEvidence(Path source, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams downloaded bytes into a new {@code target}, at most {@code limit} of them (a caller passes one more
     * than the declared size, so an oversized file is noticed without filling the disk).
     *
     * @return the number of bytes written
     */
    public static long download(InputStream in, Path target, long limit) throws IOException {
        long written = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[BUFFER];
            int read;
            while (written < limit && (read = in.read(buffer)) > 0) {
                int keep = (int) Math.min(read, limit - written);
                out.write(buffer, 0, keep);
                written += keep;
            }
        }
        return written;
    }

    /**
     * Puts a finished file (a completed download) in place of {@code target}: atomically where the file system
     * can, so a reader never sees a partial artifact under the final name.
     */
    public static void replace(Path finished, Path target) throws IOException {
        try {
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(finished, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Renames a file or directory that is already on disk (an archived state file, a rejected checkpoint), in
     * one atomic step; fails when that is not possible rather than copying.
     *
     * @return the new path
     */
    public static Path rename(Path from, Path to) throws IOException {
        return Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }
}
