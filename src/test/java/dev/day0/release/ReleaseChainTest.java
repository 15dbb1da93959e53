package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.day0.io.Json;
import dev.day0.publish.PublishGuard;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The stages upstream's chain gained, in-process: the serving canary (its server a local process announcing an
 * in-test OpenAI-style server), the verbosity gate after compare, config parity in compare, and the evaluated
 * checkpoint's fingerprint in decision.json that {@code day0 publish} checks.
 */
public class ReleaseChainTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;
    private HttpServer server;
    private String completion = " Paris, the largest city of France";

    @Before
    public void setUp() throws IOException {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/health", exchange -> answer(exchange, ""));
        server.createContext("/v1/models", exchange -> answer(exchange,
                "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-fp4\"}]}"));
        server.createContext("/v1/completions", exchange -> answer(exchange,
                "{\"choices\":[{\"index\":0,\"text\":\"" + completion + "\"}]}"));
        server.start();
        checkpoint("ckpt");
        fixture.canary = canary("echo loading; echo \"$URL\" > \"$DAY0_CANARY_URL_FILE\"; exec sleep 600", 30);
    }

    @After
    public void tearDown() {
        server.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String canary(String shell, int ceilingSeconds) {
        return "  canary:\n"
                + "    runner: local\n"
                + "    command: " + Json.writeLine(Json.mapper().valueToTree(shell)) + "\n"
                + "    timeout_seconds: " + (ceilingSeconds + 60) + "\n"
                + "    env: {URL: \"" + url() + "\"}\n"
                + "    probe: {checkpoint: ckpt, ceiling_seconds: " + ceilingSeconds + ", interval_seconds: 1}\n";
    }

    /** A checkpoint directory as an export leaves it: config.json and one safetensors shard (header only). */
    private Path checkpoint(String name) throws IOException {
        Path dir = fixture.dir.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}\n");
        byte[] header = "{\"__metadata__\":{\"format\":\"pt\"}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer shard = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        shard.putLong(header.length).put(header);
        Files.write(dir.resolve("model.safetensors"), shard.array());
        return dir;
    }

    private void verbosity(double baselineTokens, double candidateTokens) {
        fixture.file("runs/base/eval_1/lm-evaluation-harness.gsm8k/artifacts/eval_factory_metrics.json",
                "{\"response_stats\": {\"avg_completion_tokens\": " + baselineTokens + ", \"successful_count\": 50}}");
        fixture.file("runs/cand/eval_1/lm-evaluation-harness.gsm8k/artifacts/eval_factory_metrics.json",
                "{\"response_stats\": {\"avg_completion_tokens\": " + candidateTokens + ", \"successful_count\": 50}}");
        fixture.extra = "verbosity: {baseline: runs/base, candidate: runs/cand}\n";
    }

    private CliRun conduct() {
        return fixture.conduct(ReleaseFixture.env(), false);
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("report/decision.json"));
    }

    private List<String> gates() {
        List<String> names = new ArrayList<>();
        decision().path("gates").forEach(gate -> names.add(gate.path("stage").asText()));
        return names;
    }

    @Test
    public void shouldAcceptWhenTheCanaryServesAndTheAnswersKeepTheirLength() {
        verbosity(1500, 1540);

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(decision().path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(gates()).containsSubsequence("ptq_gate", "canary", "canary_gate", "baseline_eval", "compare",
                "verbosity");
        assertThat(run.err()).contains("[4/12] canary", "RESULT: PASS", "[11/12] verbosity");
        assertThat(fixture.workdir().resolve("logs/canary.log")).content().contains("loading");
        assertThat(decision().path(PublishGuard.FINGERPRINT_FIELD).path("shards").has("model.safetensors")).isTrue();
    }

    @Test
    public void shouldEndCheckpointNotServableWithTheServerLogWhenTheServerExitsWhileLoading() {
        fixture.canary = canary("echo \"KeyError: 'model.layers.0.mlp.weight_scale'\"; exit 1", 30);

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
        assertThat(decision().path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(decision().path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(decision().path("detail").asText()).contains("exited with code 1 before it wrote its URL");
        JsonNode gate = Json.read(fixture.workdir().resolve("gates/canary_gate.json"));
        assertThat(gate.path("server_log").path("tail").toString()).contains("KeyError");
        assertThat(fixture.runs()).as("no eval runs on an unservable export").containsExactly("ptq 1");
        assertThat(fixture.workdir().resolve("evidence/canary_gate/server.log")).exists();
    }

    @Test
    public void shouldEndCheckpointNotServableWhenTheServerNeverAnnouncesItselfWithinTheCeiling() {
        fixture.canary = canary("echo still loading; exec sleep 600", 1);

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
        assertThat(decision().path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(decision().path("detail").asText()).contains("wrote no URL", "within the ceiling of 1 s");
    }

    @Test
    public void shouldEndCheckpointNotServableWhenTheGenerationIsGarbage() {
        completion = "!!!! ???? !!!! ????";

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
        assertThat(decision().path("detail").asText()).contains("not coherent");
    }

    @Test
    public void shouldEndRegressionWhenTheCandidateAnswersTooLongAfterAnAccuracyAccept() {
        verbosity(1500, 2100);

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(decision().path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision().path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
        assertThat(decision().path("detail").asText()).contains("lm-evaluation-harness.gsm8k");
    }

    @Test
    public void shouldEndAnomalousConfigMismatchNamingTheKeyWhenTheEvalsRanWithDifferentSettings() {
        fixture.file("baseline/run-summary.json", withConfig(ReleaseFixture.runSummary("SUCCESS", 70.0, 80.0, "[]"),
                "{\"config.model_args.pretrained\": \"base\", \"config.model_args.tensor_parallel_size\": \"1\"}"));
        fixture.file("quantized/run-summary.json", withConfig(ReleaseFixture.runSummary("SUCCESS", 69.5, 79.6,
                "[]"), "{\"config.model_args.pretrained\": \"fp4\", \"config.model_args.tensor_parallel_size\": \"8\"}"));

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        assertThat(decision().path("failure_class").asText()).isEqualTo("CONFIG_MISMATCH");
        assertThat(decision().path("detail").asText()).contains("config.model_args.tensor_parallel_size")
                .doesNotContain("pretrained");
    }

    @Test
    public void shouldRefuseToCompareWhenOnlyOneEvalRecordedItsConfiguration() {
        fixture.file("quantized/run-summary.json", withConfig(ReleaseFixture.runSummary("SUCCESS", 69.5, 79.6,
                "[]"), "{\"config.model_args.pretrained\": \"fp4\"}"));

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        assertThat(decision().path("failure_class").asText()).isEqualTo("CONFIG_MISMATCH");
        assertThat(decision().path("detail").asText()).contains("baseline_eval's run summary records no "
                + "configuration");
    }

    private static String withConfig(String runSummary, String config) {
        return runSummary.trim().replaceFirst("}$", ", \"config\": " + config + "}") + "\n";
    }

    @Test
    public void shouldLetPublishRefuseACheckpointDifferingByOneFileFromTheOneTheRunEvaluated() throws IOException {
        verbosity(1500, 1540);
        assertThat(conduct().exitCode()).isZero();
        Path copy = checkpoint("copy");
        Files.writeString(copy.resolve("config.json"), "{\"model_type\": \"llama\", \"num_hidden_layers\": 1}\n");

        PublishGuard.Verdict same = PublishGuard.check(decision(), "decision.json", null, null,
                fixture.dir.resolve("ckpt"), false);
        PublishGuard.Verdict other = PublishGuard.check(decision(), "decision.json", null, null, copy, false);

        assertThat(same.allowed()).as(same.reasons().toString()).isTrue();
        assertThat(other.allowed()).isFalse();
        assertThat(other.reasons()).anySatisfy(reason -> assertThat(reason).contains("config.json"));
    }

    @Test
    public void shouldJudgeTheCanaryAndVerbosityAgainOnResumeWithoutServingAgain() throws IOException {
        verbosity(1500, 2100);
        assertThat(conduct().exitCode()).isEqualTo(1);
        Files.writeString(fixture.dir.resolve("runs.log"), "");
        JsonNode state = Json.read(fixture.workdir().resolve("state.json"));
        assertThat(state.at("/stages/canary_gate/evidence/outputs").size()).isPositive();
        assertThat(state.at("/stages/verbosity/evidence/inputs").size()).isEqualTo(2);

        CliRun again = fixture.conduct(ReleaseFixture.env(), true);

        assertThat(again.exitCode()).as(again.err()).isEqualTo(1);
        assertThat(again.err()).contains("judging the serving canary again", "threshold 0.05 again");
        assertThat(fixture.runs()).as("no stage work is redone").isEmpty();
        assertThat(decision().path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
    }

    @Test
    public void shouldRefuseToResumeWhenTheRecordedCanaryVerdictWasEdited() throws IOException {
        fixture.canary = canary("echo boom; exit 1", 30);
        assertThat(conduct().exitCode()).isEqualTo(4);
        Path verdict = fixture.workdir().resolve("evidence/canary_gate/canary.json");
        Files.writeString(verdict, Files.readString(verdict).replace("\"servable\" : false", "\"servable\" : true"));

        CliRun again = fixture.conduct(ReleaseFixture.env(), true);

        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains(verdict + ": has changed");
    }

    @Test
    public void shouldRunNoCanaryOrVerbosityStageForAPlanWithout() {
        fixture.canary = "";

        CliRun run = conduct();

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("[1/9] setup", "[9/9] closeout").doesNotContain("canary");
        assertThat(Json.read(fixture.workdir().resolve("state.json")).at("/stages/canary/status").asText())
                .isEqualTo("skipped");
    }
}
