package dev.day0.evidence.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.redact.Redactor;
import dev.day0.core.FailureClass;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ServingCanaryTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeVllmServer server = FakeVllmServer.start();

    @After
    public void stop() {
        server.close();
    }

    private static ServingCanary canary(Duration ceiling) {
        return new ServingCanary(new ServingCanary.Settings(ceiling, Duration.ofMillis(20), Duration.ofSeconds(5),
                null, null, null), Redactor.withSecrets(Set.of("hf_secretvalue123456789")));
    }

    private Path log(String text) throws Exception {
        Path log = temp.getRoot().toPath().resolve("vllm-serve.log");
        Files.writeString(log, text);
        return log;
    }

    @Test
    public void shouldPassAfterTheServerFinishesLoadingAndSayPassOnTheResultLine() throws Exception {
        server.health(503, 503, 503, 200);

        ServingCanary.Result result = canary(Duration.ofSeconds(20)).check(URI.create(server.url()),
                log("INFO loading weights\nINFO ready\n"), null);

        assertThat(result.servable()).as(result.detail()).isTrue();
        assertThat(result.failureClass()).isNull();
        assertThat(result.resultLine()).startsWith("RESULT: PASS /health answered 200 after 4 attempt(s)");
        assertThat(result.serverLogTail()).isEmpty();
        JsonNode json = result.toJson(server.url(), Instant.now());
        assertThat(json.path("servable").asBoolean()).isTrue();
        assertThat(json.path("server_log").path("exists").asBoolean()).isTrue();
        assertThat(json.path("probe").path("healthy").asBoolean()).isTrue();
    }

    @Test
    public void shouldFailNotServableWhenHealthNeverAnswersWithinTheCeilingAndQuoteTheLogTail() throws Exception {
        server.health(503);
        Path log = log("INFO loading\nKeyError: 'model.layers.0.mlp.experts.w13_weight' token=hf_secretvalue123456789"
                + "\n");

        ServingCanary.Result result = canary(Duration.ofMillis(300)).check(URI.create(server.url()), log, null);

        assertThat(result.servable()).isFalse();
        assertThat(result.failureClass()).isEqualTo(FailureClass.CHECKPOINT_NOT_SERVABLE);
        assertThat(result.resultLine()).startsWith("RESULT: FAIL CHECKPOINT_NOT_SERVABLE GET /health did not "
                + "answer 200 within 0.3 s");
        assertThat(result.serverLogTail()).last().asString().contains("KeyError: 'model.layers.0.mlp.experts")
                .doesNotContain("hf_secretvalue123456789").contains(Redactor.MASK);
    }

    @Test
    public void shouldQuoteTheLinesAServerWroteAsItDiedWhenTheTailIsReadAgain() throws Exception {
        Path log = log("INFO loading\n");
        ServingCanary canary = canary(Duration.ofSeconds(5));
        ServingCanary.Result early = canary.notServed("the server process exited with code 1 before it wrote its "
                + "URL", log, "exited with code 1");
        Files.writeString(log, "INFO loading\nKeyError: 'model.layers.0.self_attn.qkv_proj.weight_scale_inv'\n");

        ServingCanary.Result result = canary.withFreshLogTail(early);

        assertThat(early.serverLogTail()).containsExactly("INFO loading");
        assertThat(result.serverLogTail()).last().asString().startsWith("KeyError");
        assertThat(result.resultLine()).isEqualTo(early.resultLine());
    }

    @Test
    public void shouldFailNotServableOnAGenerationThatIsNotLanguage() {
        server.completion(200, FakeVllmServer.completionBody(FakeVllmServer.MODEL, "!!!!!!!!!!!!!!!!"));

        ServingCanary.Result result = canary(Duration.ofSeconds(20)).check(URI.create(server.url()), null, null);

        assertThat(result.servable()).isFalse();
        assertThat(result.failureClass()).isEqualTo(FailureClass.CHECKPOINT_NOT_SERVABLE);
        assertThat(result.detail()).startsWith("the generation is not coherent: it has no letters");
    }

    @Test
    public void shouldFailNotServableWhenTheCompletionRouteErrors() {
        server.completion(500, FakeVllmServer.errorBody(500, "InternalServerError", "CUDA error: illegal memory"));

        ServingCanary.Result result = canary(Duration.ofSeconds(20)).check(URI.create(server.url()), null, null);

        assertThat(result.resultLine()).isEqualTo("RESULT: FAIL CHECKPOINT_NOT_SERVABLE POST /v1/completions "
                + "answered HTTP 500: InternalServerError: CUDA error: illegal memory");
    }

    @Test
    public void shouldStopWaitingAtOnceWhenTheServerProcessDies() throws Exception {
        server.health(503);
        Process dead = new ProcessBuilder("sh", "-c", "exit 3").start();
        dead.waitFor();
        Path missingLog = temp.getRoot().toPath().resolve("shared/vllm.log");

        long started = System.nanoTime();
        ServingCanary.Result result = canary(Duration.ofMinutes(5)).check(URI.create(server.url()), missingLog,
                dead);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        assertThat(result.servable()).isFalse();
        assertThat(result.serverExit()).isEqualTo("exited with code 3");
        assertThat(result.detail()).isEqualTo("the server process exited with code 3 before /health answered 200 "
                + "(see the server log); the server log " + missingLog + " does not exist");
        assertThat(result.toJson(server.url(), Instant.now()).path("probe").isNull()).isTrue();
    }

    @Test
    public void shouldDefaultTheCeilingAboveTheLoadTimeOfALargeMoe() {
        assertThat(ServingCanary.Settings.defaults().ceiling()).isGreaterThan(Duration.ofMinutes(60));
    }

    @Test
    public void shouldJudgeCoherenceOfAGreedyGeneration() {
        assertThat(ServingCanary.Coherence.problem(" Paris. It is the largest city in France")).isNull();
        assertThat(ServingCanary.Coherence.problem("   ")).isEqualTo("it is empty");
        assertThat(ServingCanary.Coherence.problem("the the the the the")).startsWith("one word repeated");
        assertThat(ServingCanary.Coherence.problem("aaaaaaaaaaaa")).startsWith("one character repeated");
        assertThat(ServingCanary.Coherence.problem("Par\uFFFDis")).startsWith("it contains undecodable bytes");
    }
}
