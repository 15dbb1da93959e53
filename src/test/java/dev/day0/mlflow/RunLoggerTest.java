package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.report.DecisionRecord;
import dev.day0.report.ReportWriter;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 mlflow log} against a loopback MLflow server. */
public class RunLoggerTest {
    private static final String MODEL = BaselineFinderTest.MODEL;
    private static final String TASKS = BaselineFinderTest.TASKS;
    private static final String SAMPLING = BaselineFinderTest.SAMPLING;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeMlflowServer server = FakeMlflowServer.start();

    @After
    public void stop() {
        server.close();
    }

    private Map<String, String> env() {
        return Map.of("MLFLOW_TRACKING_URI", server.url());
    }

    private Path scores() throws IOException {
        Path file = temp.getRoot().toPath().resolve("scores.json");
        Files.writeString(file, "{\"gsm8k\": 0.781, \"mmlu_pro\": 0.613}");
        return file;
    }

    private CliRun logEval(Map<String, String> env, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("mlflow", "log", "--kind", "eval", "--model", MODEL, "--tasks",
                TASKS, "--sampling", SAMPLING, "--scores", scores().toString(), "--retry-delay-ms", "1"));
        args.addAll(List.of(extra));
        return CliRun.run(env, args.toArray(String[]::new));
    }

    private static JsonNode output(CliRun run) {
        return Json.parse(run.out(), "stdout");
    }

    @Test
    public void shouldRecordAnEvalThatFindBaselineThenReuses() throws IOException {
        CliRun log = logEval(env(), "--run-name", "baseline-llama-3.1-8b");

        assertThat(log.exitCode()).as(log.toString()).isEqualTo(0);
        String runId = output(log).get("run_id").asText();
        FakeMlflowServer.StoredRun run = server.run(runId);
        assertThat(run.status).isEqualTo("FINISHED");
        assertThat(run.runName).isEqualTo("baseline-llama-3.1-8b");
        assertThat(run.tags).containsEntry("day0.kind", "eval")
                .containsEntry("day0.model", MODEL)
                .containsEntry("day0.task_set_hash", BaselineKeyTest.TASKS_HASH)
                .containsEntry("day0.sampling_params_hash", BaselineKeyTest.SAMPLING_HASH)
                .containsEntry("day0.tasks", "gsm8k,mmlu_pro");
        assertThat(run.params).containsEntry("sampling.temperature", "0.6").containsEntry("sampling.top_p", "0.95")
                .containsEntry("sampling.max_tokens", "2048");
        assertThat(run.metrics.get("score/gsm8k").doubleValue()).isEqualTo(0.781);
        assertThat(run.metrics.get("score/mmlu_pro").doubleValue()).isEqualTo(0.613);
        assertThat(server.requests("experiments/create")).hasSize(1);

        Path found = temp.getRoot().toPath().resolve("baseline.json");
        CliRun find = CliRun.run(env(), "mlflow", "find-baseline", "--model", MODEL, "--tasks",
                "[\"gsm8k\", \"mmlu_pro\"]", "--sampling", "{\"max_tokens\": 2048, \"top_p\": 0.95, "
                        + "\"temperature\": 0.60}", "--scores", found.toString());
        assertThat(find.exitCode()).as(find.toString()).isEqualTo(0);
        assertThat(output(find).get("run_id").asText()).isEqualTo(runId);
        assertThat(Json.read(found).get("gsm8k").doubleValue()).isEqualTo(0.781);
    }

    @Test
    public void shouldCreateTheRunThenLogThenFinishInThatOrder() throws IOException {
        server.addExperiment("day0");

        CliRun run = logEval(env());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests()).extracting(FakeMlflowServer.Request::endpoint)
                .containsExactly("experiments/get-by-name", "runs/create", "runs/log-batch", "runs/update");
        JsonNode update = server.requests("runs/update").get(0).json();
        assertThat(update.get("status").asText()).isEqualTo("FINISHED");
        assertThat(update.get("end_time").asLong()).isPositive();
        assertThat(server.requests("runs/create").get(0).json().get("experiment_id").asText()).isEqualTo("1");
    }

    @Test
    public void shouldSplitLargeLogsWithinTheLimitsOfLogBatch() throws IOException {
        ObjectNode params = Json.object();
        for (int i = 0; i < 250; i++) {
            params.put("extra.param_" + i, "value " + i);
        }
        ObjectNode tags = Json.object();
        for (int i = 0; i < 150; i++) {
            tags.put("extra.tag_" + i, "value " + i);
        }
        ObjectNode metrics = Json.object();
        for (int i = 0; i < 2500; i++) {
            metrics.put("latency/p" + i, i / 10.0);
        }
        Path paramFile = temp.getRoot().toPath().resolve("params.json");
        Path tagFile = temp.getRoot().toPath().resolve("tags.json");
        Path metricFile = temp.getRoot().toPath().resolve("metrics.json");
        Files.writeString(paramFile, Json.write(params));
        Files.writeString(tagFile, Json.write(tags));
        Files.writeString(metricFile, Json.write(metrics));

        CliRun run = logEval(env(), "--params", "@" + paramFile, "--tags", "@" + tagFile, "--metrics",
                "@" + metricFile);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        List<FakeMlflowServer.Request> batches = server.requests("runs/log-batch");
        int metricCount = 0;
        int paramCount = 0;
        int tagCount = 0;
        for (FakeMlflowServer.Request batch : batches) {
            JsonNode body = batch.json();
            assertThat(body.get("metrics").size()).isLessThanOrEqualTo(1000);
            assertThat(body.get("params").size()).isLessThanOrEqualTo(100);
            assertThat(body.get("tags").size()).isLessThanOrEqualTo(100);
            assertThat(body.get("metrics").size() + body.get("params").size() + body.get("tags").size())
                    .isLessThanOrEqualTo(1000);
            assertThat(batch.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(1_000_000);
            metricCount += body.get("metrics").size();
            paramCount += body.get("params").size();
            tagCount += body.get("tags").size();
        }
        // 250 extra params + 3 sampling params need three requests of at most 100.
        assertThat(batches).hasSize(3);
        assertThat(paramCount).isEqualTo(253);
        assertThat(metricCount).isEqualTo(2502);
        assertThat(tagCount).isEqualTo(150 + 6);
        assertThat(output(run).get("log_batch_requests").intValue()).isEqualTo(3);
        FakeMlflowServer.StoredRun stored = server.run(output(run).get("run_id").asText());
        assertThat(stored.params).hasSize(253);
        assertThat(stored.metrics).hasSize(2502);
        // The identity tags go in the first request, before anything else can fail.
        JsonNode firstTags = batches.get(0).json().get("tags");
        assertThat(firstTags.get(0).get("key").asText()).isEqualTo("day0.kind");
        assertThat(firstTags.get(1).get("key").asText()).isEqualTo("day0.model");
    }

    @Test
    public void shouldRetryALogBatchThatFailedWith503() throws IOException {
        server.failNext("runs/log-batch", 503, "TEMPORARILY_UNAVAILABLE", "try again", 1);

        CliRun run = logEval(env());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests("runs/log-batch")).hasSize(2);
        assertThat(server.run(output(run).get("run_id").asText()).metrics).containsKey("score/gsm8k");
    }

    @Test
    public void shouldMarkTheRunFailedWhenALaterRequestIsRejected() throws IOException {
        server.failNext("runs/log-batch", 400, "INVALID_PARAMETER_VALUE", "Param value too long", 1);

        CliRun run = logEval(env());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        FakeMlflowServer.StoredRun stored = server.runs().get(0);
        assertThat(stored.status).isEqualTo("FAILED");
        assertThat(run.err()).contains("runs/log-batch answered HTTP 400: INVALID_PARAMETER_VALUE: Param value too "
                + "long").contains("(run " + stored.runId + " was created and is marked FAILED)");
    }

    @Test
    public void shouldRecordADecisionWithItsReportAsTagsAndArtifacts() throws IOException {
        Path reportDir = temp.newFolder("report").toPath();
        ObjectNode compare = Json.object();
        compare.put("pass", false);
        compare.put("decision", "REGRESSION");
        compare.put("failure_class", (String) null);
        compare.put("detail", "aime dropped 4.2 points");
        DecisionRecord record = new DecisionRecord("test").stage("compare", "compare", compare);
        new ReportWriter(Redactor.patternsOnly()).write(record, reportDir);

        CliRun run = CliRun.run(env(), "mlflow", "log", "--kind", "decision", "--decision",
                reportDir.resolve("decision.json").toString(), "--run-name", "decision-llama-fp8");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        FakeMlflowServer.StoredRun stored = server.run(output(run).get("run_id").asText());
        assertThat(stored.tags).containsEntry("day0.kind", "decision")
                .containsEntry("day0.decision", "REGRESSION")
                .containsEntry("day0.publish_recommendation", "do-not-publish")
                .containsEntry("day0.report_path", reportDir.resolve("report.md").toAbsolutePath().toString());
        assertThat(stored.tags.get("day0.detail")).contains("aime dropped 4.2 points");
        assertThat(stored.tags.get("day0.artifacts")).startsWith("uploaded to 1/" + stored.runId
                + "/artifacts/day0: decision.json, report.md, junit.xml");
        String prefix = "1/" + stored.runId + "/artifacts/day0/";
        assertThat(server.artifacts()).containsOnlyKeys(prefix + "decision.json", prefix + "report.md",
                prefix + "junit.xml");
        assertThat(new String(server.artifacts().get(prefix + "report.md"), StandardCharsets.UTF_8))
                .isEqualTo(Files.readString(reportDir.resolve("report.md")));
        assertThat(server.requests("runs/set-tag")).extracting(r -> r.json().get("key").asText())
                .containsExactly("day0.report_path", "day0.artifacts");
        assertThat(output(run).get("artifacts").get("uploaded")).hasSize(3);
    }

    @Test
    public void shouldRecordTheReportPathInsteadWhenTheServerDoesNotProxyArtifacts() throws IOException {
        server.serveArtifacts(false);
        Path report = temp.getRoot().toPath().resolve("report.md");
        Files.writeString(report, "# day0 report\n");

        CliRun run = logEval(env(), "--report", report.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        FakeMlflowServer.StoredRun stored = server.run(output(run).get("run_id").asText());
        assertThat(stored.tags).containsEntry("day0.report_path", report.toAbsolutePath().toString());
        assertThat(stored.tags.get("day0.artifacts")).startsWith("not uploaded: the run's artifact URI "
                + "\"s3://day0-test-bucket/mlflow/1/" + stored.runId + "/artifacts\" is not served by the tracking "
                + "server's mlflow-artifacts proxy");
        assertThat(server.artifacts()).isEmpty();
        assertThat(server.requests().stream().filter(r -> r.method().equals("PUT"))).isEmpty();
        assertThat(output(run).get("artifacts").get("note").asText()).startsWith("not uploaded");
        assertThat(run.err()).contains("artifacts not uploaded");
    }

    @Test
    public void shouldSaySoWhenTheArtifactProxyRouteIsMissing() throws IOException {
        server.proxyRouteEnabled(false);
        Path report = temp.getRoot().toPath().resolve("report.md");
        Files.writeString(report, "# day0 report\n");

        CliRun run = logEval(env(), "--report", report.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        FakeMlflowServer.StoredRun stored = server.run(output(run).get("run_id").asText());
        assertThat(stored.tags.get("day0.artifacts")).startsWith("not uploaded: MLflow mlflow-artifacts PUT")
                .contains("HTTP 404");
        assertThat(stored.status).isEqualTo("FINISHED");
    }

    @Test
    public void shouldNeverSendASecretToMlflow() throws IOException {
        String token = "mlflow-tok-0a1b2c3d4e5f";
        Path report = temp.getRoot().toPath().resolve("report.md");
        Files.writeString(report, "# report\nserver said: bad token " + token + "\n");

        CliRun run = logEval(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_TOKEN", token),
                "--tags", "{\"note\": \"launched with " + token + "\"}", "--report", report.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        for (FakeMlflowServer.Request request : server.requests()) {
            assertThat(request.body()).doesNotContain(token);
        }
        assertThat(server.runs().get(0).tags.get("note")).isEqualTo("launched with [REDACTED]");
    }

    @Test
    public void shouldRejectScoresThatDoNotCoverTheTaskSetBeforeAnyRequest() throws IOException {
        Path partial = temp.getRoot().toPath().resolve("partial.json");
        Files.writeString(partial, "{\"gsm8k\": 0.78}");

        CliRun run = CliRun.run(env(), "mlflow", "log", "--kind", "eval", "--model", MODEL, "--tasks", TASKS,
                "--sampling", SAMPLING, "--scores", partial.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(partial + ": mmlu_pro: is missing: every task of the set needs a score");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldRejectAScoreThatIsNotANumber() throws IOException {
        Path bad = temp.getRoot().toPath().resolve("bad.json");
        Files.writeString(bad, "{\"gsm8k\": \"0.78\", \"mmlu_pro\": 0.6}");

        CliRun run = CliRun.run(env(), "mlflow", "log", "--kind", "eval", "--model", MODEL, "--tasks", TASKS,
                "--sampling", SAMPLING, "--scores", bad.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(bad + ": gsm8k: must be a finite number, found string \"0.78\"");
    }

    @Test
    public void shouldRejectABinaryArtifactBeforeAnyRequest() throws IOException {
        Path binary = temp.getRoot().toPath().resolve("model.bin");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});

        CliRun run = logEval(env(), "--artifact", binary.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(binary + ": is not UTF-8 text");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldRejectReservedTagNames() throws IOException {
        CliRun run = logEval(env(), "--tags", "{\"day0.decision\": \"ACCEPT\"}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--tags: day0.decision: is reserved");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldRejectADecisionFileThatIsNotADecisionRecord() throws IOException {
        Path file = temp.getRoot().toPath().resolve("decision.json");
        Files.writeString(file, "{\"pass\": true}");

        CliRun run = CliRun.run(env(), "mlflow", "log", "--kind", "decision", "--decision", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(file + ": schema: must be \"day0.decision/1\", found nothing");
    }

    @Test
    public void shouldRejectAnUnknownStatus() throws IOException {
        CliRun run = logEval(env(), "--status", "DONE");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--status: must be FINISHED, FAILED or KILLED");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldLogIntoAnExperimentAnotherJobCreatedMeanwhile() throws IOException {
        server.failNext("experiments/get-by-name", 404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment", 1);
        server.addExperiment("day0");

        CliRun run = logEval(env());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests("experiments/create")).hasSize(1);
        assertThat(output(run).get("experiment_id").asText()).isEqualTo("1");
    }
}
