package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The engine as a separate process, as bin/day0 and the Jenkins steps run it. */
public class GateCommandIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path file(String name, byte[] bytes) throws Exception {
        Path path = temp.getRoot().toPath().resolve(name);
        Files.write(path, bytes);
        return path;
    }

    private Path file(String name, String text) throws Exception {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private Day0Process day0(String... args) {
        return Day0Process.run(temp.getRoot().toPath(), Map.of(), args);
    }

    @Test
    public void shouldPrintItsVersion() {
        Day0Process run = day0("--version");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).startsWith("day0 0.");
    }

    @Test
    public void shouldOfferHelp() {
        // Every level's help is checked in-process (GateGarbageInputTest); this is the same through the jar.
        Day0Process run = day0("gate", "compare", "--help");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("Usage: day0 gate compare");
    }

    @Test
    public void shouldExitWithTheDocumentedCodes() throws Exception {
        Path baseline = file("b.json", "{\"t\": 50}");
        Path same = file("same.json", "{\"t\": 50}");
        Path worse = file("worse.json", "{\"t\": 45}");

        assertThat(day0("gate", "compare", "--baseline", baseline.toString(), "--candidate", same.toString())
                .exitCode()).isEqualTo(0);
        assertThat(day0("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString())
                .exitCode()).isEqualTo(1);
        assertThat(day0("gate", "compare", "--baseline", baseline.toString(), "--candidate", "absent.json")
                .exitCode()).isEqualTo(2);
        assertThat(day0("gate").exitCode()).isEqualTo(2);
        assertThat(day0("no-such-command").exitCode()).isEqualTo(2);
    }

    @Test
    public void shouldAnswerGarbageInputWithAOneLineErrorAndNeverAPass() throws Exception {
        // One garbage file through each gate as a process (no stack trace reaches the real stderr); every kind of
        // garbage is checked in-process (GateGarbageInputTest).
        Path good = file("good.json", "{\"t\": 50}");
        Path bad = file("binary.json", GarbageInputs.all().get("binary"));
        for (String[] args : GarbageInputs.gateCommands(good.toString(), bad.toString())) {
            Day0Process run = day0(args);

            String what = String.join(" ", args) + "\n" + run;
            assertThat(run.exitCode()).as(what).isEqualTo(2);
            assertThat(run.err()).as(what).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(run.err().trim().lines().count()).as(what).isEqualTo(1);
            JsonNode json = Json.parse(run.out(), "stdout");
            assertThat(json.path("pass").asBoolean()).as(what).isFalse();
            assertThat(json.path("failure_class").asText()).as(what).isEqualTo("USER_CONFIG_ERROR");
            assertThat(json.path("detail").asText()).as(what).startsWith(bad.toString());
        }
    }
}
