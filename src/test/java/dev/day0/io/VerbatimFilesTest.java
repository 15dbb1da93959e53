package dev.day0.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class VerbatimFilesTest {
    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void shouldCopyEvidenceByteForByteEvenWhenItLooksLikeASecret() throws IOException {
        Path source = folder.getRoot().toPath().resolve("scores.json");
        byte[] bytes = "{\"api_key\": \"sk-proj-abcdefghijklmnopqrstuv\", \"acc\": 0.5}\n\u0000\u00ff"
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(source, bytes);
        Path target = folder.getRoot().toPath().resolve("work").resolve("evidence").resolve("scores.json");

        VerbatimFiles.copyEvidence(source, target);

        assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    }

    @Test
    public void shouldNameBothPathsWhenTheEvidenceCannotBeCopied() {
        Path missing = folder.getRoot().toPath().resolve("missing.json");
        Path target = folder.getRoot().toPath().resolve("copy.json");

        assertThatThrownBy(() -> VerbatimFiles.copyEvidence(missing, target)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining(target.toString());
    }

    @Test
    public void shouldStopADownloadAtItsLimit() throws IOException {
        Path target = folder.getRoot().toPath().resolve("artifact.bin");
        byte[] body = new byte[200_000];
        body[199_999] = 7;

        long written = VerbatimFiles.download(new ByteArrayInputStream(body), target, 100_001);

        assertThat(written).isEqualTo(100_001);
        assertThat(Files.size(target)).isEqualTo(100_001);
    }

    @Test
    public void shouldPutAFinishedDownloadInPlaceOfTheTarget() throws IOException {
        Path part = folder.getRoot().toPath().resolve(".download.part");
        Path target = folder.getRoot().toPath().resolve("metrics.json");
        Files.writeString(target, "old");
        Files.writeString(part, "new");

        VerbatimFiles.replace(part, target);

        assertThat(part).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("new");
    }
}
