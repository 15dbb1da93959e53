package dev.day0.rockie;

import dev.day0.io.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret an approval is signed with (HMAC-SHA256), so a person who can edit a sheet cannot re-approve it.
 *
 * <p>From {@code DAY0_APPROVAL_KEY} when set (in Jenkins: a Secret text credential bound around the approve and
 * submit steps only), else from a key file, {@code DAY0_APPROVAL_KEY_FILE} or {@code ~/.day0/approval.key}, which
 * approving creates on first use with mode 0600 and which is refused when group or others may read or write it.
 * The key's value is never part of a message, a file other than the key file, or a command line.
 */
public final class ApprovalKey {
    public static final String ENV = "DAY0_APPROVAL_KEY";
    public static final String FILE_ENV = "DAY0_APPROVAL_KEY_FILE";
    /** Short keys can be guessed from a signature: ask for at least 128 bits written as hex. */
    static final int MIN_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Set<PosixFilePermission> NOT_PRIVATE = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final byte[] secret;
    private final String origin;

    private ApprovalKey(byte[] secret, String origin) {
        this.secret = secret;
        this.origin = origin;
    }

    /** The key for approving: the environment's, else the key file, created when there is none yet. */
    public static ApprovalKey forApproving(Map<String, String> env) {
        return load(env, true);
    }

    /** The key for checking an approval: the environment's, else an existing key file. */
    public static ApprovalKey forChecking(Map<String, String> env) {
        return load(env, false);
    }

    /** Where the key came from, for messages: the variable's name or the file's path, never the value. */
    public String origin() {
        return origin;
    }

    /** The HMAC-SHA256 of {@code material} under this key, as lowercase hex. */
    public String sign(String material) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(material.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    /** Whether {@code signature} is this key's signature of {@code material}, compared in constant time. */
    public boolean signed(String material, String signature) {
        byte[] expected = sign(material).getBytes(StandardCharsets.US_ASCII);
        return signature != null && MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "approval key from " + origin;
    }

    private static ApprovalKey load(Map<String, String> env, boolean create) {
        String value = env.get(ENV);
        if (value != null && !value.isBlank()) {
            String key = value.strip();
            if (key.length() < MIN_LENGTH) {
                throw RockieException.usage(ENV + " is shorter than " + MIN_LENGTH + " characters: use a random "
                        + "key, for example the output of 'openssl rand -hex 32'");
            }
            return new ApprovalKey(key.getBytes(StandardCharsets.UTF_8), ENV);
        }
        Path file = keyFile(env);
        if (!Files.exists(file)) {
            if (!create) {
                // Worded so that no "signature: <word>" reaches the redactor, which would mask the word.
                throw RockieException.usage("no approval key to check the sheet's signature with; set " + ENV
                        + " (in Jenkins a Secret text credential) or keep the key file " + file + " that "
                        + "'day0 rockie approve' created");
            }
            createKeyFile(file);
        }
        return new ApprovalKey(readKeyFile(file), file.toString());
    }

    static Path keyFile(Map<String, String> env) {
        String configured = env.get(FILE_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        return Path.of(home, ".day0", "approval.key");
    }

    private static void createKeyFile(Path file) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] text = (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            // Exclusive: two first uses at once keep one key, the one that was created first.
            SecretFiles.createOwnerOnly(file, text);
        } catch (IOException e) {
            throw RockieException.usage("cannot create the approval key file " + file + ": " + e.getMessage()
                    + "; set " + FILE_ENV + " to a writable place or " + ENV + " to a key");
        }
    }

    private static byte[] readKeyFile(Path file) {
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
                for (PosixFilePermission permission : permissions) {
                    if (NOT_PRIVATE.contains(permission)) {
                        throw RockieException.usage("the approval key file " + file + " may be read or written by "
                                + "group or others (mode " + PosixFilePermissions.toString(permissions) + "): "
                                + "anyone who reads it can approve; run chmod 600 " + file);
                    }
                }
            }
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.length() < MIN_LENGTH) {
                throw RockieException.usage("the approval key file " + file + " holds fewer than " + MIN_LENGTH
                        + " characters: remove it to have a new key made on the next approval");
            }
            return key.getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw RockieException.usage("the approval key file " + file + " is gone");
        } catch (IOException e) {
            throw RockieException.usage("cannot read the approval key file " + file + ": " + e.getMessage());
        }
    }
}
