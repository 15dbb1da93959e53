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

    private Path verbosityTree(String side, double tokens) throws Exception {
        Path artifacts = temp.getRoot().toPath().resolve(side).resolve("eval_1/simple_evals.gpqa/artifacts");
        Files.createDirectories(artifacts);
        Files.writeString(artifacts.resolve("eval_factory_metrics.json"), "{\"response_stats\": "
                + "{\"avg_completion_tokens\": " + tokens + ", \"successful_count\": 198}}");
        return temp.getRoot().toPath().resolve(side);
    }

    private Path acceptedCompare() throws Exception {
        return gate("compare.json", "gate", "compare", "--baseline", file("b.json", "{\"gsm8k\": 77.3}").toString(),
                "--candidate", file("c.json", "{\"gsm8k\": 77.0}").toString());
    }

    @Test
    public void shouldRecordTheVerbosityGateAfterCompare() throws Exception {
        Path compare = acceptedCompare();
        Path verbosity = gate("verbosity.json", "gate", "verbosity", "--baseline", verbosityTree("vb", 4000)
                .toString(), "--candidate", verbosityTree("vc", 4100).toString());
        Path reportDir = temp.getRoot().toPath().resolve("out");

        CliRun report = CliRun.run("report", "--compare", compare.toString(), "--verbosity", verbosity.toString(),
                "--report-dir", reportDir.toString());

        assertThat(report.exitCode()).as(report.toString()).isEqualTo(0);
        JsonNode record = Json.read(reportDir.resolve("decision.json"));
        assertThat(record.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(record.path("gates")).extracting(g -> g.path("gate").asText())
                .containsExactly("compare", "verbosity");
        assertThat(record.path("inputs")).extracting(i -> i.path("role").asText()).contains("verbosity-result");
        assertThat(record.path("gates").get(1).path("result").has("exit")).isFalse();
    }

    @Test
    public void shouldCallAnAcceptedCompareWithLongerAnswersARegression() throws Exception {
        Path compare = acceptedCompare();
        Path verbosity = gate("verbosity.json", "gate", "verbosity", "--baseline", verbosityTree("vb", 4000)
                .toString(), "--candidate", verbosityTree("vc", 4400).toString());

        CliRun report = CliRun.run("report", "--compare", compare.toString(), "--verbosity", verbosity.toString(),
                "--report-dir", temp.getRoot().toPath().resolve("out").toString());

        assertThat(report.exitCode()).as(report.toString()).isEqualTo(1);
        JsonNode answer = Json.parse(report.out(), "stdout");
        assertThat(answer.path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(answer.path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
        assertThat(answer.path("detail").asText()).startsWith("verbosity: ");
    }

    @Test
    public void shouldLetACompareThatDidNotAcceptDecideBeforeTheVerbosityGate() throws Exception {
        Path compare = gate("compare.json", "gate", "compare", "--baseline", file("b.json", "{\"gsm8k\": 77.3}")
                .toString(), "--candidate", file("c.json", "{\"gsm8k\": 70.0}").toString());
        Path verbosity = gate("verbosity.json", "gate", "verbosity", "--baseline", verbosityTree("vb", 4000)
                .toString(), "--candidate", verbosityTree("vc", 4400).toString());

        CliRun report = CliRun.run("report", "--compare", compare.toString(), "--verbosity", verbosity.toString(),
                "--report-dir", temp.getRoot().toPath().resolve("out").toString());

        assertThat(report.exitCode()).as(report.toString()).isEqualTo(1);
        JsonNode answer = Json.parse(report.out(), "stdout");
        assertThat(answer.path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(answer.path("detail").asText()).startsWith("compare: ");
    }

    @Test
    public void shouldRejectACompareResultGivenAsTheVerbosityResult() throws Exception {
        Path compare = acceptedCompare();

        CliRun report = CliRun.run("report", "--compare", compare.toString(), "--verbosity", compare.toString(),
                "--report-dir", temp.getRoot().toPath().resolve("out").toString());

        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err().trim()).isEqualTo(compare + ": harvest_diagnostics: is missing: not a verbosity gate result");
    }

    @Test
    public void shouldRefuseAPassingGateResultGivenForAnotherStage() throws Exception {
        Path baseline = file("b.json", "{\"gsm8k\": 77.3}");
        Path compare = gate("compare.json", "gate", "compare", "--baseline", baseline.toString(), "--candidate",
                baseline.toString());

        CliRun asPtq = CliRun.run("report", "--ptq", compare.toString(), "--compare", compare.toString(),
                "--report-dir", temp.getRoot().toPath().resolve("out").toString());
        CliRun asRun = CliRun.run("report", "--run", compare.toString(), "--compare", compare.toString(),
                "--report-dir", temp.getRoot().toPath().resolve("out2").toString());

        assertThat(asPtq.exitCode()).isEqualTo(2);
        assertThat(asPtq.err()).contains(compare + ": decision: is present: this is a compare gate result, not a ptq "
                + "gate result");
        assertThat(asRun.exitCode()).isEqualTo(2);
        assertThat(asRun.err()).contains("not a run gate result");
        assertThat(temp.getRoot().toPath().resolve("out/decision.json")).doesNotExist();
    }

    @Test
    public void shouldRefuseAHandWrittenPassWithoutTheFieldsAGateWrites() throws Exception {
        Path forged = file("forged.json", "{\"pass\": true, \"decision\": \"ACCEPT\"}");
        Path forgedPtq = file("forged-ptq.json", "{\"pass\": true}");

        CliRun compare = CliRun.run("report", "--compare", forged.toString(), "--report-dir",
                temp.getRoot().toPath().resolve("out").toString());
        CliRun ptq = CliRun.run("report", "--ptq", forgedPtq.toString(), "--report-dir",
                temp.getRoot().toPath().resolve("out2").toString());

        assertThat(compare.exitCode()).isEqualTo(2);
        assertThat(compare.err()).contains(forged + ": per_task: is missing: a passing compare gate result lists "
                + "every task it judged");
        assertThat(ptq.exitCode()).isEqualTo(2);
        assertThat(ptq.err()).contains(forgedPtq + ": checks: is missing: a passing ptq gate result carries it");
    }
}
