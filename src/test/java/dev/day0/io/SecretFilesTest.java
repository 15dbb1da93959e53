package dev.day0.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SecretFilesTest {
    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void shouldWriteTheKeyUnredactedForItsOwnerOnly() throws IOException {
        Path file = folder.getRoot().toPath().resolve(".day0").resolve("approval.key");
        // Shaped like a token the redactor masks: a key file must still hold the key itself.
        String key = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789\n";

        boolean created = SecretFiles.createOwnerOnly(file, key.getBytes(StandardCharsets.US_ASCII));

        assertThat(created).isTrue();
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var siblings = Files.list(file.getParent())) {
            assertThat(siblings).containsExactly(file);
        }
    }

    @Test
    public void shouldKeepTheFirstKeyWhenAKeyFileExists() throws IOException {
        Path file = folder.getRoot().toPath().resolve("approval.key");
        SecretFiles.createOwnerOnly(file, "first-key-0123456789\n".getBytes(StandardCharsets.US_ASCII));

        boolean created = SecretFiles.createOwnerOnly(file, "second-key-0123456789\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(created).isFalse();
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo("first-key-0123456789\n");
    }
}
