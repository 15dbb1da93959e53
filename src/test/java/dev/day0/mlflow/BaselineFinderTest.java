package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 mlflow find-baseline} against a loopback MLflow server. */
public class BaselineFinderTest {
    public static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    public static final String TASKS = "[\"mmlu_pro\", \"gsm8k\"]";
    public static final String SAMPLING = "{\"temperature\": 0.6, \"top_p\": 0.95, \"max_tokens\": 2048}";

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

    private Path scoresFile() {
        return temp.getRoot().toPath().resolve("baseline-scores.json");
    }

    private CliRun find(Map<String, String> env, String... extra) {
        List<String> args = new ArrayList<>(List.of("mlflow", "find-baseline", "--model", MODEL, "--tasks", TASKS,
                "--sampling", SAMPLING, "--scores", scoresFile().toString(), "--retry-delay-ms", "1"));
        args.addAll(List.of(extra));
        return CliRun.run(env, args.toArray(String[]::new));
    }

    private CliRun find(String... extra) {
        return find(env(), extra);
    }

    static Map<String, String> evalTags(String tasks, String sampling, String configHash) {
        BaselineKey key = BaselineKeyTest.key(tasks, sampling, configHash);
        Map<String, String> tags = new HashMap<>(key.tags());
        tags.put("day0.kind", "eval");
        return tags;
    }

    private static Map<String, Number> scores(double gsm8k, double mmluPro) {
        return Map.of("score/gsm8k", gsm8k, "score/mmlu_pro", mmluPro);
    }

    private static JsonNode output(CliRun run) {
        return Json.parse(run.out(), "stdout");
    }

    @Test
    public void shouldWriteTheScoresOfTheMatchingRunAndPrintItsRunId() throws IOException {
        String experiment = server.addExperiment("day0");
        String runId = server.addRun(experiment, "FINISHED", 1_700_000_000_000L, evalTags(TASKS, SAMPLING, null),
                scores(0.781, 0.613)).runId;
        server.addRun(experiment, "FINISHED", 1_700_000_100_000L,
                evalTags(TASKS, "{\"temperature\": 0, \"top_p\": 0.95, \"max_tokens\": 2048}", null),
                scores(0.5, 0.5));

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode out = output(run);
        assertThat(out.get("match").booleanValue()).isTrue();
        assertThat(out.get("run_id").asText()).isEqualTo(runId);
        assertThat(out.get("scores_file").asText()).isEqualTo(scoresFile().toString());
        JsonNode written = Json.read(scoresFile());
        assertThat(written.get("gsm8k").doubleValue()).isEqualTo(0.781);
        assertThat(written.get("mmlu_pro").doubleValue()).isEqualTo(0.613);
        assertThat(written.size()).isEqualTo(2);
        assertThat(run.err()).contains("baseline found: run " + runId);
    }

    @Test
    public void shouldSearchWithTheExactFilterOnOurTags() {
        server.addExperiment("day0");

        find();

        List<FakeMlflowServer.Request> searches = server.requests("runs/search");
        assertThat(searches).hasSize(1);
        JsonNode body = searches.get(0).json();
        assertThat(body.get("filter").asText()).isEqualTo("attributes.status = 'FINISHED'"
                + " AND tags.`day0.kind` = 'eval'"
                + " AND tags.`day0.model` = 'meta-llama/Llama-3.1-8B-Instruct'"
                + " AND tags.`day0.task_set_hash` = '" + BaselineKeyTest.TASKS_HASH + "'"
                + " AND tags.`day0.sampling_params_hash` = '" + BaselineKeyTest.SAMPLING_HASH + "'");
        assertThat(body.get("experiment_ids").get(0).asText()).isEqualTo("1");
        assertThat(body.get("run_view_type").asText()).isEqualTo("ACTIVE_ONLY");
        assertThat(body.get("order_by").get(0).asText()).isEqualTo("attributes.start_time DESC");
        assertThat(server.requests("experiments/get-by-name").get(0).query()).isEqualTo("experiment_name=day0");
    }

    @Test
    public void shouldAddTheConfigHashToTheFilterAndRequireItWhenGiven() {
        String experiment = server.addExperiment("day0");
        server.addRun(experiment, "FINISHED", 1L, evalTags(TASKS, SAMPLING, null), scores(0.7, 0.6));

        CliRun run = find("--config-hash", "4f0c9a1e77");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(server.requests("runs/search").get(0).json().get("filter").asText())
                .endsWith(" AND tags.`day0.config_hash` = '4f0c9a1e77'");
        assertThat(output(run).get("match").booleanValue()).isFalse();
    }

    @Test
    public void shouldReadEveryPageAndPassBackEachPageToken() {
        String experiment = server.addExperiment("day0");
        server.pageSize(2);
        Map<String, String> tags = evalTags(TASKS, SAMPLING, null);
        // Newer runs lack a score, so the only usable run is the oldest, on the third page.
        String usable = server.addRun(experiment, "FINISHED", 1000L, tags, scores(0.75, 0.6)).runId;
        for (int i = 1; i <= 5; i++) {
            server.addRun(experiment, "FINISHED", 1000L + i, tags, Map.of("score/gsm8k", 0.9));
        }

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(output(run).get("run_id").asText()).isEqualTo(usable);
        assertThat(output(run).get("runs_seen").intValue()).isEqualTo(6);
        assertThat(output(run).get("rejected")).hasSize(5);
        assertThat(output(run).get("rejected").get(0).get("reason").asText()).isEqualTo("no metric score/mmlu_pro");
        List<FakeMlflowServer.Request> searches = server.requests("runs/search");
        assertThat(searches).hasSize(3);
        assertThat(searches.get(0).json().has("page_token")).isFalse();
        assertThat(searches.get(1).json().get("page_token").asText()).isNotEmpty();
        assertThat(searches.get(2).json().get("page_token").asText())
                .isNotEqualTo(searches.get(1).json().get("page_token").asText());
    }

    @Test
    public void shouldTakeTheNewestOfSeveralMatchingRuns() {
        String experiment = server.addExperiment("day0");
        Map<String, String> tags = evalTags(TASKS, SAMPLING, null);
        server.addRun(experiment, "FINISHED", 1000L, tags, scores(0.70, 0.60));
        String newest = server.addRun(experiment, "FINISHED", 3000L, tags, scores(0.72, 0.61)).runId;
        server.addRun(experiment, "FINISHED", 2000L, tags, scores(0.71, 0.62));

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(output(run).get("run_id").asText()).isEqualTo(newest);
        assertThat(output(run).get("scores").get("gsm8k").doubleValue()).isEqualTo(0.72);
    }

    @Test
    public void shouldReportNoMatchWithExit3WhenTheExperimentDoesNotExist() {
        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        JsonNode out = output(run);
        assertThat(out.get("match").booleanValue()).isFalse();
        assertThat(out.get("detail").asText()).isEqualTo("no matching baseline: experiment \"day0\" does not exist "
                + "on " + server.url());
        assertThat(out.get("run_id").isNull()).isTrue();
        assertThat(Files.exists(scoresFile())).isFalse();
        assertThat(server.requests("runs/search")).isEmpty();
    }

    @Test
    public void shouldReportNoMatchForADeletedExperiment() {
        server.addExperiment("day0");
        server.deleteExperiment("day0");

        CliRun run = find();

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(output(run).get("detail").asText()).contains("is deleted");
    }

    @Test
    public void shouldReportNoMatchWhenOnlyRunsWithOtherSamplingParametersExist() {
        String experiment = server.addExperiment("day0");
        server.addRun(experiment, "FINISHED", 1L, evalTags(TASKS, "{\"temperature\": 0}", null), scores(0.7, 0.6));
        server.addRun(experiment, "FINISHED", 2L, evalTags("[\"gsm8k\"]", SAMPLING, null),
                Map.of("score/gsm8k", 0.7));

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(output(run).get("detail").asText())
                .startsWith("no matching baseline: no finished eval run in experiment \"day0\" has model");
        assertThat(output(run).get("runs_seen").intValue()).isZero();
        assertThat(Files.exists(scoresFile())).isFalse();
    }

    @Test
    public void shouldCheckEveryReturnedRunItselfWhenTheServerIgnoresTheFilter() {
        String experiment = server.addExperiment("day0");
        server.ignoreFilter(true);
        server.addRun(experiment, "FINISHED", 5L, evalTags(TASKS, "{\"temperature\": 0}", null), scores(0.9, 0.9));
        server.addRun(experiment, "FAILED", 4L, evalTags(TASKS, SAMPLING, null), scores(0.9, 0.9));
        Map<String, String> decisionTags = evalTags(TASKS, SAMPLING, null);
        decisionTags.put("day0.kind", "decision");
        server.addRun(experiment, "FINISHED", 3L, decisionTags, scores(0.9, 0.9));
        server.addRun(experiment, "FINISHED", 2L, evalTags(TASKS, SAMPLING, null),
                Map.of("score/gsm8k", 0.9, "score/mmlu_pro", Double.NaN));

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        JsonNode rejected = output(run).get("rejected");
        assertThat(rejected).hasSize(4);
        assertThat(rejected.get(0).get("reason").asText()).startsWith("tag day0.sampling_params_hash is");
        assertThat(rejected.get(1).get("reason").asText()).isEqualTo("status is FAILED, not FINISHED");
        assertThat(rejected.get(2).get("reason").asText()).isEqualTo("tag day0.kind is not \"eval\"");
        assertThat(rejected.get(3).get("reason").asText())
                .startsWith("metric score/mmlu_pro is not a finite number");
        assertThat(output(run).get("detail").asText()).startsWith("no matching baseline: 4 run(s) matched the "
                + "filter but none is usable");
    }

    @Test
    public void shouldRetryA503OnceAndThenSucceed() {
        String experiment = server.addExperiment("day0");
        server.addRun(experiment, "FINISHED", 1L, evalTags(TASKS, SAMPLING, null), scores(0.7, 0.6));
        server.failNext("runs/search", 503, "TEMPORARILY_UNAVAILABLE", "database is busy", 1);

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests("runs/search")).hasSize(2);
    }

    @Test
    public void shouldGiveUpAfterTheRetriesWithExit4() {
        server.addExperiment("day0");
        server.failNext("runs/search", 500, "INTERNAL_ERROR", "database is locked", 10);

        CliRun run = find("--retries", "2");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(server.requests("runs/search")).hasSize(3);
        assertThat(run.err()).startsWith("day0 mlflow find-baseline: MLflow runs/search failed after 3 attempt(s)")
                .contains("HTTP 500: INTERNAL_ERROR: database is locked");
        assertThat(output(run).get("failure_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(Files.exists(scoresFile())).isFalse();
    }

    @Test
    public void shouldExplainARejectedFilterWithExit2() {
        server.addExperiment("day0");
        server.failNext("runs/search", 400, "INVALID_PARAMETER_VALUE",
                "Invalid clause(s) in filter string: 'tags.`day0.kind` = 'eval''", 1);

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(server.requests("runs/search")).hasSize(1);
        assertThat(run.err()).contains("MLflow runs/search answered HTTP 400: INVALID_PARAMETER_VALUE: "
                + "Invalid clause(s) in filter string");
        assertThat(output(run).get("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }

    @Test
    public void shouldBeUnavailableNotNoMatchWhenTheUriIsNotAnMlflowServer() {
        server.addExperiment("day0");

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url() + "/not-mlflow"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.err()).contains("HTTP 404").contains("an MLflow tracking server?");
    }

    @Test
    public void shouldBeUnavailableWhenTheAnswerIsNotJson() {
        server.addExperiment("day0");
        server.failNextRaw("runs/search", 200, "<html>proxy login</html>", 1);

        CliRun run = find();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.err()).contains("runs/search answered 200 but the body is not JSON");
    }

    @Test
    public void shouldBeUnavailableWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", "http://127.0.0.1:" + port), "--retries", "1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.err()).contains("failed after 2 attempt(s)").contains("connection refused");
    }

    @Test
    public void shouldSendTheTokenAsABearerHeader() {
        String token = "mlflow-token-8f3e2a1b9c";
        server.requireAuthorization("Bearer " + token);
        server.addExperiment("day0");

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_TOKEN", token));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.header("Authorization"))
                .isEqualTo("Bearer " + token));
        assertThat(run.out() + run.err()).doesNotContain(token);
    }

    @Test
    public void shouldSendUsernameAndPasswordAsBasicAuth() {
        server.requireAuthorization("Basic ZGF5MC1jaTpwNHNzdzByZC1kYXkw");
        server.addExperiment("day0");

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_USERNAME", "day0-ci",
                "MLFLOW_TRACKING_PASSWORD", "p4ssw0rd-day0"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.out() + run.err()).doesNotContain("p4ssw0rd-day0");
    }

    @Test
    public void shouldReportRefusedCredentialsWithExit2() {
        server.requireAuthorization("Bearer right-token-0000");

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_TOKEN", "wrong-token-1111"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("HTTP 401").contains("check MLFLOW_TRACKING_TOKEN");
        assertThat(run.out() + run.err()).doesNotContain("wrong-token-1111");
    }

    @Test
    public void shouldMaskTheTokenAndPasswordEvenWhenTheServerEchoesThem() {
        String token = "tok-echoed-5d6e7f8a9b";
        server.addExperiment("day0");
        server.failNext("runs/search", 400, "INVALID_PARAMETER_VALUE", "bad request from bearer token " + token, 1);

        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_TOKEN", token));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("[REDACTED]").doesNotContain(token);
        assertThat(run.out()).doesNotContain(token);
        Redactor redactor = Redactor.fromEnvironment(Map.of("MLFLOW_TRACKING_TOKEN", token,
                "MLFLOW_TRACKING_PASSWORD", "pw-secret-4242"));
        assertThat(redactor.redact("t=" + token + " p=pw-secret-4242")).doesNotContain(token)
                .doesNotContain("pw-secret-4242");
    }

    @Test
    public void shouldPrintValidJsonWhenTheServerMessageHasASecretBeforeAQuote() {
        server.addExperiment("day0");
        server.failNext("runs/search", 400, "INVALID_PARAMETER_VALUE", "rejected password=hunter22\" in filter", 1);

        CliRun run = find();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(output(run).get("detail").asText()).contains("rejected password=[REDACTED]\" in filter");
        assertThat(run.out() + run.err()).doesNotContain("hunter22");
    }

    @Test
    public void shouldRequireTheTrackingUriWithExit2() {
        CliRun run = find(Map.of());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("MLFLOW_TRACKING_URI: is not set");
    }

    @Test
    public void shouldRejectHalfOfTheBasicCredentials() {
        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_USERNAME", "day0-ci"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("MLFLOW_TRACKING_USERNAME: is set but MLFLOW_TRACKING_PASSWORD is not");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldRejectCredentialsInsideTheUriWithoutPrintingThem() {
        CliRun run = find(Map.of("MLFLOW_TRACKING_URI", server.url().replace("http://", "http://ci:hunter2pw@")));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("MLFLOW_TRACKING_URI: must not carry credentials");
        assertThat(run.out() + run.err()).doesNotContain("hunter2pw");
    }

    @Test
    public void shouldRejectAKeyWithoutSamplingParametersBeforeAnyRequest() {
        CliRun run = CliRun.run(env(), "mlflow", "find-baseline", "--model", MODEL, "--tasks", TASKS, "--scores",
                scoresFile().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("a baseline key needs --model, --tasks and --sampling (missing: --sampling)");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldReadTheTaskSetAndSamplingParametersFromFiles() throws IOException {
        String experiment = server.addExperiment("day0");
        server.addRun(experiment, "FINISHED", 1L, evalTags(TASKS, SAMPLING, null), scores(0.7, 0.6));
        Path tasks = temp.newFile("tasks.yaml").toPath();
        Files.writeString(tasks, "- gsm8k\n- mmlu_pro\n");
        Path sampling = temp.newFile("sampling.json").toPath();
        Files.writeString(sampling, "{\"max_tokens\": 2048, \"top_p\": 0.950, \"temperature\": 0.6}");

        CliRun run = CliRun.run(env(), "mlflow", "find-baseline", "--model", MODEL, "--tasks", "@" + tasks,
                "--sampling", "@" + sampling, "--scores", scoresFile().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
    }
}
