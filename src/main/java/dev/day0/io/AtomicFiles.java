package dev.day0.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that a reader (or a resumed run after a crash) sees either the old content or the new one,
 * never a torn file: write a temporary sibling, fsync it, rename it over the target, fsync the directory.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void write(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path target, byte[] bytes) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                try {
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code target} holding {@code bytes} unless it already exists, for records that must be claimed once
     * (an approval's use, a key made on first use): two writers at once leave one whole file, the first linked.
     * The bytes go to a temporary sibling, are synced and hard-linked under the name, which appears whole or not
     * at all and fails when the name exists; where hard links are unsupported, an exclusive create is the fallback.
     *
     * @param ownerOnly create the file (and its temporary sibling) readable and writable by its owner only
     * @return false when {@code target} already existed (it is left as it was)
     */
    static boolean createExclusive(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        boolean posix = ownerOnly && Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------"))}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp", attributes);
        try {
            writeSynced(temp, bytes, Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                    new FileAttribute<?>[0]);
            try {
                Files.createLink(absolute, temp);
            } catch (UnsupportedOperationException e) {
                writeSynced(absolute, bytes, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW),
                        attributes);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeSynced(Path file, byte[] bytes, Set<StandardOpenOption> options,
                                    FileAttribute<?>[] attributes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, options, attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory for fsync; the rename itself is still atomic there.
        }
    }
}
