package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Regression: picocli expands any argument starting with '@' as an argument file, so "--scales @scales.json" used to
 * reach the gate as the file's words instead of the file name ("Unmatched arguments").
 */
public class AtFileOptionTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldPassAnAtFileValueToTheOptionInsteadOfExpandingIt() throws IOException {
        Path baseline = temp.newFile("baseline.json").toPath();
        Path candidate = temp.newFile("candidate.json").toPath();
        Path scales = temp.newFile("scales.json").toPath();
        Files.writeString(baseline, "{\"aime\": 60.0}");
        Files.writeString(candidate, "{\"aime\": 59.5}");
        Files.writeString(scales, "{\"aime\": 100}");

        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--scales", "@" + scales);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(Json.parse(run.out(), "stdout").get("decision").asText()).isEqualTo("ACCEPT");
    }
}
