package dev.day0.cli.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.evidence.serving.FakeVllmServer;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ProbeCommandTest {
    // A short interval keeps the suite fast; the timeout only bounds servers that do become healthy, so it is
    // generous for a loopback answer on a busy 2-core machine. Never-healthy tests set their own short timeout.
    private static final String[] FAST = {"--timeout", "10", "--interval", "0.02", "--request-timeout", "5"};

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeVllmServer server = FakeVllmServer.start();

    @After
    public void stop() {
        server.close();
    }

    private CliRun probe(String... extra) {
        return probe(Map.of(), extra);
    }

    private CliRun probe(Map<String, String> env, String... extra) {
        String[] args = new String[4 + FAST.length + extra.length];
        args[0] = "probe";
        args[1] = "serving";
        args[2] = "--url";
        args[3] = server.url();
        System.arraycopy(FAST, 0, args, 4, FAST.length);
        System.arraycopy(extra, 0, args, 4 + FAST.length, extra.length);
        return CliRun.run(env, args);
    }

    private static JsonNode evidence(CliRun run) {
        return Json.parse(run.out(), "stdout");
    }

    private static JsonNode check(JsonNode evidence, String name) {
        for (JsonNode check : evidence.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + evidence);
    }

    @Test
    public void shouldReportHealthyWhenHealthTurnsFrom503To200AndTheModelCompletes() {
        server.health(503, 503, 200);

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode evidence = evidence(run);
        assertThat(evidence.get("healthy").booleanValue()).isTrue();
        assertThat(evidence.get("model").asText()).isEqualTo(FakeVllmServer.MODEL);
        assertThat(evidence.get("url").asText()).isEqualTo(server.url());
        JsonNode health = check(evidence, "health");
        assertThat(health.get("status").asText()).isEqualTo("pass");
        assertThat(health.get("http_status").intValue()).isEqualTo(200);
        assertThat(health.get("attempts").intValue()).isEqualTo(3);
        assertThat(health.get("latency_ms").isIntegralNumber()).isTrue();
        assertThat(check(evidence, "models").get("models").get(0).asText()).isEqualTo(FakeVllmServer.MODEL);
        JsonNode completion = check(evidence, "completion");
        assertThat(completion.get("status").asText()).isEqualTo("pass");
        assertThat(completion.get("text").asText()).contains("Paris");
        assertThat(completion.get("completion_tokens").intValue()).isEqualTo(16);
        assertThat(run.err()).contains("day0 probe serving: healthy");
    }

    @Test
    public void shouldSendOneGreedyCompletionOfTheFixedPromptToTheServedModel() {
        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests("/v1/completions")).hasSize(1);
        JsonNode sent = Json.parse(server.requests("/v1/completions").get(0).body(), "request");
        assertThat(sent.get("model").asText()).isEqualTo(FakeVllmServer.MODEL);
        assertThat(sent.get("prompt").asText()).isEqualTo("The capital of France is");
        assertThat(sent.get("temperature").intValue()).isZero();
        assertThat(sent.get("max_tokens").intValue()).isPositive();
    }

    @Test
    public void shouldProbeTheRequestedModelWhenTheServerListsSeveral() {
        server.models(200, FakeVllmServer.modelsBody("base-model", "quantized-model"));

        CliRun run = probe("--model", "quantized-model");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(evidence(run).get("model").asText()).isEqualTo("quantized-model");
        JsonNode sent = Json.parse(server.requests("/v1/completions").get(0).body(), "request");
        assertThat(sent.get("model").asText()).isEqualTo("quantized-model");
    }

    @Test
    public void shouldAcceptAnOpenAiBaseUrlEndingInV1() {
        CliRun run = CliRun.run("probe", "serving", "--url", server.url() + "/v1/", "--timeout", "10");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(server.requests("/health")).isNotEmpty();
    }

    @Test
    public void shouldBeUnhealthyWhenHealthNeverAnswers200WithinTheTimeout() {
        server.health(503);

        CliRun run = CliRun.run("probe", "serving", "--url", server.url(), "--timeout", "1", "--interval", "0.02");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode evidence = evidence(run);
        assertThat(evidence.get("healthy").booleanValue()).isFalse();
        assertThat(evidence.get("detail").asText())
                .startsWith("GET /health did not answer 200 within 1 s")
                .contains("last: HTTP 503");
        JsonNode health = check(evidence, "health");
        assertThat(health.get("status").asText()).isEqualTo("fail");
        assertThat(health.get("http_status").intValue()).isEqualTo(503);
        assertThat(health.get("attempts").intValue()).isGreaterThan(1);
        assertThat(check(evidence, "models").get("status").asText()).isEqualTo("skipped");
        assertThat(check(evidence, "completion").get("status").asText()).isEqualTo("skipped");
        assertThat(server.requests("/v1/models")).isEmpty();
        assertThat(run.err()).contains("UNHEALTHY");
    }

    @Test
    public void shouldStopPollingAtOnceWhenHealthIsNotAVllmRoute() {
        server.health(404);

        CliRun run = CliRun.run("probe", "serving", "--url", server.url(), "--timeout", "30", "--interval", "5");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode health = check(evidence(run), "health");
        assertThat(health.get("attempts").intValue()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText()).contains("HTTP 404").contains("check --url");
    }

    @Test
    public void shouldBeUnhealthyWhenNothingListensOnThePort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        CliRun run = CliRun.run("probe", "serving", "--url", "http://127.0.0.1:" + port, "--timeout", "0.2",
                "--interval", "0.02");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode evidence = evidence(run);
        assertThat(evidence.get("detail").asText()).contains("last: connection refused");
        assertThat(check(evidence, "health").get("http_status").isNull()).isTrue();
    }

    @Test
    public void shouldBeUnhealthyWhenTheServerListsNoModels() {
        server.models(200, "{\"object\":\"list\",\"data\":[]}");

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode evidence = evidence(run);
        assertThat(evidence.get("detail").asText()).isEqualTo("GET /v1/models: the server lists no models");
        assertThat(check(evidence, "models").get("status").asText()).isEqualTo("fail");
        assertThat(check(evidence, "completion").get("status").asText()).isEqualTo("skipped");
        assertThat(evidence.get("model").isNull()).isTrue();
    }

    @Test
    public void shouldBeUnhealthyWhenTheRequestedModelIsNotServed() {
        CliRun run = probe("--model", "nvidia/Llama-3.1-8B-Instruct-FP8");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText())
                .contains("model \"nvidia/Llama-3.1-8B-Instruct-FP8\" is not served")
                .contains("served: " + FakeVllmServer.MODEL);
    }

    @Test
    public void shouldBeUnhealthyWhenTheCompletionFailsWith500() {
        server.completion(500, FakeVllmServer.errorBody(500, "InternalServerError", "CUDA error: out of memory"));

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode evidence = evidence(run);
        JsonNode completion = check(evidence, "completion");
        assertThat(completion.get("status").asText()).isEqualTo("fail");
        assertThat(completion.get("http_status").intValue()).isEqualTo(500);
        assertThat(evidence.get("detail").asText())
                .isEqualTo("POST /v1/completions answered HTTP 500: InternalServerError: CUDA error: out of memory");
        assertThat(check(evidence, "health").get("status").asText()).isEqualTo("pass");
        assertThat(check(evidence, "models").get("status").asText()).isEqualTo("pass");
    }

    @Test
    public void shouldBeUnhealthyWhenTheModelsAnswerIsGarbage() {
        server.models(200, "<html><body>502 Bad Gateway</body></html>");

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText())
                .startsWith("GET /v1/models answered 200 but the body is not a JSON object")
                .contains("502 Bad Gateway");
    }

    @Test
    public void shouldBeUnhealthyWhenTheCompletionAnswerIsGarbage() {
        server.completion(200, "{\"choices\": [{\"text\": ");

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText())
                .startsWith("POST /v1/completions answered 200 but the body is not a JSON object");
    }

    @Test
    public void shouldBeUnhealthyWhenTheCompletionHasNoText() {
        server.completion(200, FakeVllmServer.completionBody(FakeVllmServer.MODEL, ""));

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText()).contains("the model returned no text");
    }

    @Test
    public void shouldBeUnhealthyWhenTheCompletionLacksTheExpectedText() {
        server.completion(200, FakeVllmServer.completionBody(FakeVllmServer.MODEL, " a a a a a a a a"));

        CliRun run = probe("--expect", "Paris");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText()).contains("does not contain \"Paris\"");
    }

    @Test
    public void shouldSendTheApiKeyOnlyAsABearerHeaderAndNeverWriteIt() {
        String key = "vllm-key-5b0d8e7f3a21";
        server.models(401, FakeVllmServer.errorBody(401, "Unauthorized", "bad key " + key));

        CliRun run = probe(Map.of("VLLM_API_KEY", key), "--api-key-env", "VLLM_API_KEY");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(server.requests("/v1/models").get(0).header("Authorization")).isEqualTo("Bearer " + key);
        assertThat(server.requests("/health").get(0).header("Authorization")).isNull();
        assertThat(run.out()).doesNotContain(key);
        assertThat(evidence(run).get("detail").asText())
                .isEqualTo("GET /v1/models answered HTTP 401: Unauthorized: bad key [REDACTED]");
        assertThat(run.err()).doesNotContain(key);
    }

    @Test
    public void shouldKeepTheEvidenceValidJsonWhenASecretInAnErrorIsFollowedByAQuote() {
        // Regression: redacting the serialized text cut an escaped quote in half and left invalid JSON.
        server.completion(500, "{\"object\":\"error\",\"message\":\"invalid token: sk9Xq2Lm\\\"; retry\","
                + "\"type\":\"AuthenticationError\",\"param\":null,\"code\":500}");

        CliRun run = probe();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(evidence(run).get("detail").asText()).isEqualTo("POST /v1/completions answered HTTP 500: "
                + "AuthenticationError: invalid token: [REDACTED]\"; retry");
        assertThat(run.out()).doesNotContain("sk9Xq2Lm");
    }

    @Test
    public void shouldMaskCredentialsInTheUrlItRecords() {
        String url = server.url().replace("http://", "http://probe:s3cretpass@");

        CliRun run = CliRun.run("probe", "serving", "--url", url, "--timeout", "10");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.out()).doesNotContain("s3cretpass");
        assertThat(evidence(run).get("url").asText()).contains("[REDACTED]@127.0.0.1");
    }

    @Test
    public void shouldWriteTheEvidenceToTheOutFileAndNothingToStdout() throws IOException {
        Path out = temp.getRoot().toPath().resolve("serving.json");

        CliRun run = probe("--out", out.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.out()).isEmpty();
        assertThat(Json.read(out).get("healthy").booleanValue()).isTrue();
        assertThat(Files.readString(out)).contains("\"schema\" : \"day0.serving-probe/1\"");
    }

    @Test
    public void shouldRejectAUrlThatIsNotHttpWithExitCode2() {
        CliRun run = CliRun.run("probe", "serving", "--url", "ftp://127.0.0.1:8000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--url: must start with http:// or https://");
        assertThat(run.out()).contains("\"failure_class\" : \"USER_CONFIG_ERROR\"");
    }

    @Test
    public void shouldRejectATimeoutThatIsNotAPositiveNumberWithExitCode2() {
        CliRun zero = CliRun.run("probe", "serving", "--url", server.url(), "--timeout", "0");
        CliRun word = CliRun.run("probe", "serving", "--url", server.url(), "--interval", "soon");

        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).startsWith("--timeout: must be more than 0 seconds");
        assertThat(word.exitCode()).isEqualTo(2);
        assertThat(word.err()).startsWith("--interval: must be a number of seconds, found \"soon\"");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    public void shouldRejectAnApiKeyVariableThatIsNotSet() {
        CliRun run = CliRun.run(Map.of(), "probe", "serving", "--url", server.url(), "--api-key-env", "NO_SUCH");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--api-key-env: environment variable NO_SUCH is not set or empty");
    }

    @Test
    public void shouldMakeTheRunGateFailWithDeploymentHealthFailedOnUnhealthyEvidence() throws IOException {
        server.completion(500, FakeVllmServer.errorBody(500, "InternalServerError", "engine dead"));
        Path serving = temp.getRoot().toPath().resolve("serving.json");
        Path runSummary = temp.getRoot().toPath().resolve("run-summary.json");
        Files.writeString(runSummary, "{\"tasks\": {\"gsm8k\": {\"status\": \"SUCCESS\", \"expected_samples\": 1319,"
                + " \"scored_samples\": 1319, \"score\": 0.78, \"errors\": []}}}");
        assertThat(probe("--out", serving.toString()).exitCode()).isEqualTo(1);

        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString(), "--serving", serving.toString());

        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(1);
        JsonNode verdict = Json.parse(gate.out(), "stdout");
        assertThat(verdict.get("failure_class").asText()).isEqualTo("DEPLOYMENT_HEALTH_FAILED");
        assertThat(verdict.get("detail").asText())
                .startsWith("serving probe unhealthy: POST /v1/completions answered HTTP 500");
    }

    @Test
    public void shouldLetTheRunGatePassOnHealthyEvidence() throws IOException {
        Path serving = temp.getRoot().toPath().resolve("serving.json");
        Path runSummary = temp.getRoot().toPath().resolve("run-summary.json");
        Files.writeString(runSummary, "{\"tasks\": {\"gsm8k\": {\"status\": \"SUCCESS\", \"expected_samples\": 1319,"
                + " \"scored_samples\": 1319, \"score\": 0.78, \"errors\": []}}}");
        assertThat(probe("--out", serving.toString()).exitCode()).isEqualTo(0);

        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString(), "--serving", serving.toString());

        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(0);
    }
}
