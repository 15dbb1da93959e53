package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Regression pin: without --noise and --policy the compare gate prints, byte for byte, what it printed before
 * noise-aware verdicts existed. The expected files were written by the engine as it was before that change; the
 * one addition since is the {@code exit} block every command's answer carries (docs/exit-codes.md).
 */
public class PointRuleCompatibilityTest {
    private static final Path DIR = Path.of("src/test/resources/noise/point-rule");
    private static final String SCALES = "{\"index\": {\"min\": -100, \"max\": 100}}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldPrintTheSameRegressionAsBeforeByDefault() throws IOException {
        CliRun run = compare("candidate.json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(expected("expected-default.json"));
    }

    @Test
    public void shouldPrintTheSameRegressionWhenNoiseIsExplicitlyOff() throws IOException {
        CliRun run = compare("candidate.json", "--noise", "off");

        assertThat(run.out()).isEqualTo(expected("expected-default.json"));
    }

    @Test
    public void shouldPrintTheSameAcceptWithAWiderThreshold() throws IOException {
        CliRun run = compare("candidate.json", "--threshold", "0.03");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(expected("expected-threshold.json"));
    }

    @Test
    public void shouldPrintTheSameRelativeRegression() throws IOException {
        CliRun run = compare("candidate.json", "--relative");

        assertThat(run.out()).isEqualTo(expected("expected-relative.json"));
    }

    @Test
    public void shouldPrintTheSameAnomaly() throws IOException {
        CliRun run = compare("candidate-gain.json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(expected("expected-anomalous.json"));
    }

    @Test
    public void shouldWriteTheSameReportsAsBefore() throws IOException {
        Path reports = temp.newFolder("reports").toPath();
        compare("candidate.json", "--report-dir", reports.toString());

        assertThat(normalized(reports.resolve("report.md"))).isEqualTo(normalized(DIR.resolve("expected-report.md")));
        assertThat(normalized(reports.resolve("junit.xml"))).isEqualTo(normalized(DIR.resolve("expected-junit.xml")));
        assertThat(normalized(reports.resolve("decision.json")))
                .isEqualTo(normalized(DIR.resolve("expected-decision.json")));
    }

    private static CliRun compare(String candidate, String... extra) {
        String[] base = {"gate", "compare", "--baseline", DIR.resolve("baseline.json").toString(), "--candidate",
            DIR.resolve(candidate).toString(), "--scales", SCALES};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.run(args);
    }

    private static String expected(String name) throws IOException {
        return Files.readString(DIR.resolve(name), StandardCharsets.UTF_8);
    }

    /** The record time and engine version change from run to run and release to release; nothing else may. */
    private static String normalized(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8)
                .replaceAll("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z", "<time>")
                .replaceAll("day0 [^ ,]+, recorded", "day0 <version>, recorded")
                .replaceAll("\"version\" : \"[^\"]*\"", "\"version\" : \"<version>\"");
    }
}
