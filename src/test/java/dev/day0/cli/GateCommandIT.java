package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    public void shouldOfferHelpOnEveryLevel() {
        for (String[] args : new String[][] {{"--help"}, {"gate", "--help"}, {"gate", "compare", "--help"},
            {"gate", "run", "--help"}, {"gate", "ptq", "--help"}, {"triage", "--help"}, {"report", "--help"}}) {
            Day0Process run = day0(args);

            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(0);
            assertThat(run.out()).as(String.join(" ", args)).contains("Usage: day0");
        }
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
    public void shouldAnswerEveryGarbageInputWithAOneLineErrorAndNeverAPass() throws Exception {
        Map<String, byte[]> garbage = new LinkedHashMap<>();
        garbage.put("binary", new byte[] {0, (byte) 0xff, (byte) 0xfe, 7, 0, 1});
        garbage.put("bad-utf8", new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'});
        garbage.put("deep", ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8));
        garbage.put("number", "42".getBytes(StandardCharsets.UTF_8));
        garbage.put("string", "\"tasks\"".getBytes(StandardCharsets.UTF_8));
        garbage.put("null", "null".getBytes(StandardCharsets.UTF_8));
        garbage.put("truncated", "{\"tasks\": {\"a\": {\"status\": \"SUC".getBytes(StandardCharsets.UTF_8));
        garbage.put("huge-number", "{\"t\": 1e999999}".getBytes(StandardCharsets.UTF_8));
        garbage.put("yaml", "tasks:\n  a: 1\n".getBytes(StandardCharsets.UTF_8));
        Path good = file("good.json", "{\"t\": 50}");
        for (Map.Entry<String, byte[]> entry : garbage.entrySet()) {
            Path bad = file(entry.getKey() + ".json", entry.getValue());
            Day0Process[] runs = {
                day0("gate", "compare", "--baseline", good.toString(), "--candidate", bad.toString()),
                day0("gate", "run", "--run", bad.toString()),
                day0("gate", "ptq", "--summary", bad.toString())};
            for (Day0Process run : runs) {
                assertThat(run.exitCode()).as(entry.getKey() + "\n" + run).isIn(1, 2);
                assertThat(run.err()).as(entry.getKey()).doesNotContain("Exception").doesNotContain("\tat ");
                assertThat(run.err().trim().lines().count()).as(entry.getKey() + "\n" + run).isLessThanOrEqualTo(1);
                JsonNode json = Json.parse(run.out(), "stdout");
                assertThat(json.path("pass").asBoolean()).as(entry.getKey()).isFalse();
                if (run.exitCode() == 2) {
                    assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
                    assertThat(json.path("detail").asText()).startsWith(bad.toString());
                }
            }
        }
    }
}
