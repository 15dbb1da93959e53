package dev.day0.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one write that must keep a secret as it is: a key file day0 makes for itself (the approval key). Passing it
 * through the redactor would store a mask instead of the key, so it is written unredacted, and for that reason
 * only ever to a file readable by its owner alone (mode 0600 where the file system has POSIX permissions, also for
 * the temporary copy that exists while it is written). Nothing here prints or logs the content.
 */
public final class SecretFiles {
    private SecretFiles() {
    }

    /**
     * Creates {@code file} with the secret unless it exists; two first uses at once keep one key, the one that was
     * created first.
     *
     * @return false when the file already existed (it is left as it was)
     */
    public static boolean createOwnerOnly(Path file, byte[] secret) throws IOException {
        return AtomicFiles.createExclusive(file, secret, true);
    }
}
