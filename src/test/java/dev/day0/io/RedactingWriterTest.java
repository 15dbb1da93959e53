package dev.day0.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RedactingWriterTest {
    private static final String SECRET = "tenantValue7Zq8Xv3Lm9";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final RedactingWriter writer = new RedactingWriter(Redactor.withSecrets(Set.of(SECRET)));

    @Test
    public void shouldMaskKnownSecretsInAJsonDocument() throws IOException {
        Path file = folder.getRoot().toPath().resolve("state.json");

        writer.json(file, Json.parse("{\"detail\": \"token " + SECRET + " refused\", \"n\": 1}", "doc"));

        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(written).doesNotContain(SECRET).contains("\"n\"").endsWith("\n");
        assertThat(Json.parse(written, "state.json").path("n").asInt()).isEqualTo(1);
    }

    @Test
    public void shouldMaskKnownSecretsInAText() throws IOException {
        Path file = folder.getRoot().toPath().resolve("sub").resolve("report.md");
        Files.createDirectories(file.getParent());

        writer.text(file, "# Report\nthe job printed " + SECRET + "\n");

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).startsWith("# Report\n").doesNotContain(SECRET);
    }

    @Test
    public void shouldWriteARecordOnceAndLeaveAnExistingOneAsItWas() throws IOException {
        Path file = folder.getRoot().toPath().resolve("ledger").resolve("abc.json");

        boolean first = writer.jsonOnce(file, Json.parse("{\"run_id\": \"r1 " + SECRET + "\"}", "doc"));
        boolean second = writer.jsonOnce(file, Json.parse("{\"run_id\": \"r2\"}", "doc"));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("r1").doesNotContain("r2")
                .doesNotContain(SECRET);
    }

    @Test
    public void shouldWriteAScriptRedactedAndExecutable() throws IOException {
        Path file = folder.getRoot().toPath().resolve("job.sh");

        writer.script(file, "#!/bin/sh\necho " + SECRET + "\n");

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain(SECRET).startsWith("#!/bin/sh");
        assertThat(Files.isExecutable(file)).isTrue();
    }

    @Test
    public void shouldAppendEveryLogLineRedactedAndAtOnce() throws IOException {
        Path file = folder.getRoot().toPath().resolve("logs").resolve("stage.log");
        String jobSecret = "jobSecretValue-4711-abc";

        try (LineLog log = writer.appendLog(file)) {
            String shown = log.append("login with " + SECRET);
            log.redactingWith(Redactor.withSecrets(Set.of(SECRET, jobSecret))).append("the job echoed " + jobSecret);

            assertThat(shown).isEqualTo("login with [REDACTED]");
            assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                    .containsExactly("login with [REDACTED]", "the job echoed [REDACTED]");
        }
        try (LineLog log = writer.appendLog(file)) {
            log.append("resumed");
        }
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(3).last().isEqualTo("resumed");
    }
}
