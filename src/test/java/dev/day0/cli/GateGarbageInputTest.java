package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Garbage input and help on every level, in this JVM (GateCommandIT runs one of each as a separate process): the
 * same command line, exit codes, stdout and stderr a user of bin/day0 gets.
 */
public class GateGarbageInputTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path file(String name, byte[] bytes) throws Exception {
        Path path = temp.getRoot().toPath().resolve(name);
        Files.write(path, bytes);
        return path;
    }

    @Test
    public void shouldAnswerEveryGarbageInputWithAOneLineErrorAndNeverAPass() throws Exception {
        Path good = file("good.json", "{\"t\": 50}".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> entry : GarbageInputs.all().entrySet()) {
            Path bad = file(entry.getKey() + ".json", entry.getValue());
            for (String[] args : GarbageInputs.gateCommands(good.toString(), bad.toString())) {
                CliRun run = CliRun.run(args);

                String what = entry.getKey() + ": " + String.join(" ", args) + "\n" + run;
                assertThat(run.exitCode()).as(what).isIn(1, 2);
                assertThat(run.err()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
                assertThat(run.err().trim().lines().count()).as(what).isLessThanOrEqualTo(1);
                JsonNode json = Json.parse(run.out(), "stdout");
                assertThat(json.path("pass").asBoolean()).as(what).isFalse();
                if (run.exitCode() == 2) {
                    assertThat(json.path("failure_class").asText()).as(what).isEqualTo("USER_CONFIG_ERROR");
                    assertThat(json.path("detail").asText()).as(what).startsWith(bad.toString());
                }
            }
        }
    }

    @Test
    public void shouldOfferHelpOnEveryLevel() {
        for (String[] args : new String[][] {{"--help"}, {"gate", "--help"}, {"gate", "compare", "--help"},
            {"gate", "run", "--help"}, {"gate", "ptq", "--help"}, {"triage", "--help"}, {"report", "--help"}}) {
            CliRun run = CliRun.run(args);

            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(0);
            assertThat(run.out()).as(String.join(" ", args)).contains("Usage: day0");
        }
    }
}
