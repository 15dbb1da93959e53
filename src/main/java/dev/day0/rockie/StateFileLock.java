package dev.day0.rockie;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An exclusive lock on {@code <state file>.lock}, so two submissions never share one state file. */
final class StateFileLock {
    interface Work {
        int run() throws InterruptedException;
    }

    private StateFileLock() {
    }

    /** Runs the work holding the lock; a state file another submission holds is a usage refusal. */
    static int holding(Path stateFile, Work work) throws InterruptedException {
        Path state = stateFile.toAbsolutePath();
        Path lockFile = state.resolveSibling(state.getFileName() + ".lock");
        try {
            Files.createDirectories(state.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    throw RockieException.usage("another 'day0 rockie submit' is using " + stateFile
                            + " right now");
                }
                try {
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw RockieException.usage("cannot lock " + lockFile + ": " + e.getMessage());
        }
    }
}
