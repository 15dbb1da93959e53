package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ReportCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path file(String name, String text) throws Exception {
        Path path = temp.getRoot().toPath().resolve(name);
        Files.writeString(path, text);
        return path;
    }

    private Path gate(String name, String... args) {
        Path out = temp.getRoot().toPath().resolve(name);
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--out";
        full[args.length + 1] = out.toString();
        CliRun.run(full);
        return out;
    }

    @Test
    public void shouldMergeTheStagesOfAChainIntoOneDecision() throws Exception {
        Path summary = file("summary.json", "{\"source_bytes\": 1000, \"output_bytes\": 300, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 10}, \"metadata_diffs\": []}");
        Path run = file("run.json", "{\"tasks\": {\"gsm8k\": {\"status\": \"SUCCESS\", \"score\": 77.3}}}");
        Path baseline = file("b.json", "{\"gsm8k\": 77.3}");
        Path candidate = file("c.json", "{\"gsm8k\": 77.0}");
        Path ptq = gate("ptq.json", "gate", "ptq", "--summary", summary.toString());
        Path runResult = gate("run-result.json", "gate", "run", "--run", run.toString());
        Path compare = gate("compare.json", "gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString());
        Path reportDir = temp.getRoot().toPath().resolve("out");

        CliRun report = CliRun.run("report", "--ptq", ptq.toString(), "--run", "baseline-eval=" + runResult,
                "--run", "quantized-eval=" + runResult, "--compare", compare.toString(), "--input",
                "baseline-scores=" + baseline, "--report-dir", reportDir.toString());

        assertThat(report.exitCode()).as(report.toString()).isEqualTo(0);
        assertThat(Json.parse(report.out(), "stdout").path("decision").asText()).isEqualTo("ACCEPT");
        JsonNode record = Json.read(reportDir.resolve("decision.json"));
        assertThat(record.path("gates")).extracting(g -> g.path("stage").asText())
                .containsExactly("ptq", "baseline-eval", "quantized-eval", "compare");
        assertThat(record.path("inputs")).extracting(i -> i.path("role").asText()).contains("baseline-scores");
        assertThat(record.at("/size/ratio").asDouble()).isEqualTo(0.3);
    }

    @Test
    public void shouldExitOneWhenTheChainStoppedAtAFailedGate() throws Exception {
        Path summary = file("summary.json", "{\"source_bytes\": 1000, \"output_bytes\": 1000, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 0}, \"metadata_diffs\": []}");
        Path ptq = gate("ptq.json", "gate", "ptq", "--summary", summary.toString());

        CliRun report = CliRun.run("report", "--ptq", ptq.toString(), "--report-dir",
                temp.getRoot().toPath().resolve("out").toString());

        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(Json.parse(report.out(), "stdout").path("decision").asText()).isEqualTo("INFEASIBLE");
    }

    @Test
    public void shouldRejectAFileThatIsNotAGateResult() throws Exception {
        Path notAResult = file("scores.json", "{\"gsm8k\": 77.3}");

        CliRun report = CliRun.run("report", "--compare", notAResult.toString(), "--report-dir",
                temp.getRoot().toPath().resolve("out").toString());

        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err().trim()).isEqualTo(notAResult + ": pass: is missing or not true/false: not a compare gate result");
    }

    @Test
    public void shouldRequireAtLeastOneResult() {
        assertThat(CliRun.run("report", "--report-dir", temp.getRoot().toString()).exitCode()).isEqualTo(2);
    }
}
