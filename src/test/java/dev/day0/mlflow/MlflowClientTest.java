package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Test;

public class MlflowClientTest {
    private final FakeMlflowServer server = FakeMlflowServer.start();

    @After
    public void stop() {
        server.close();
    }

    private MlflowClient client(int attempts) {
        return new MlflowClient(URI.create(server.url() + "/"), "Bearer t0ken-for-tests",
                new MlflowClient.Retry(attempts, Duration.ofMillis(1), Duration.ofMillis(5)), Duration.ofSeconds(10));
    }

    @Test
    public void shouldPreferBasicCredentialsOverTheTokenAsMlflowsOwnClientDoes() {
        String header = MlflowClient.authorization(Map.of("MLFLOW_TRACKING_USERNAME", "u",
                "MLFLOW_TRACKING_PASSWORD", "p", "MLFLOW_TRACKING_TOKEN", "t"));

        assertThat(header).isEqualTo("Basic dTpw");
    }

    @Test
    public void shouldUseTheTokenAsABearerWhenNoBasicCredentialsAreSet() {
        assertThat(MlflowClient.authorization(Map.of("MLFLOW_TRACKING_TOKEN", " abc "))).isEqualTo("Bearer abc");
        assertThat(MlflowClient.authorization(Map.of())).isNull();
    }

    @Test
    public void shouldRejectATrackingUriThatIsNotHttp() {
        assertThatThrownBy(() -> MlflowClient.fromEnvironment(Map.of("MLFLOW_TRACKING_URI", "databricks"), null,
                MlflowClient.Retry.standard()))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith("MLFLOW_TRACKING_URI: must be an http:// or https:// tracking server");
        assertThatThrownBy(() -> MlflowClient.fromEnvironment(Map.of(), "file:///tmp/mlruns",
                MlflowClient.Retry.standard()))
                .hasMessageStartingWith("--tracking-uri: must be an http:// or https:// tracking server");
    }

    @Test
    public void shouldDoubleTheBackOffUpToItsCap() {
        MlflowClient.Retry retry = new MlflowClient.Retry(6, Duration.ofMillis(500), Duration.ofSeconds(8));

        assertThat(List.of(retry.delayAfter(1), retry.delayAfter(2), retry.delayAfter(3), retry.delayAfter(5),
                retry.delayAfter(9))).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofSeconds(8));
    }

    @Test
    public void shouldAnswerAMissingExperimentAsEmpty() {
        assertThat(client(1).experimentByName("nobody")).isEmpty();
    }

    @Test
    public void shouldRetryRateLimitingAndServerErrorsButNotClientErrors() {
        server.addExperiment("e");
        server.failNext("experiments/get-by-name", 429, "REQUEST_LIMIT_EXCEEDED", "slow down", 1);
        server.failNext("experiments/get-by-name", 502, "BAD_GATEWAY", "upstream", 1);

        assertThat(client(3).experimentByName("e")).isPresent();
        assertThat(server.requests("experiments/get-by-name")).hasSize(3);

        server.failNext("experiments/create", 400, "INVALID_PARAMETER_VALUE", "bad name", 1);
        assertThatThrownBy(() -> client(3).createExperiment("x"))
                .isInstanceOfSatisfying(MlflowException.class, e -> {
                    assertThat(e.kind()).isEqualTo(MlflowException.Kind.REJECTED);
                    assertThat(e.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
                });
        assertThat(server.requests("experiments/create")).hasSize(1);
    }

    @Test
    public void shouldSendTheAuthorizationHeaderOnEveryRequestAndKeepThePathPrefix() {
        server.addExperiment("e");

        client(1).experimentByName("e");

        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer t0ken-for-tests");
        assertThat(server.requests().get(0).path()).isEqualTo("/api/2.0/mlflow/experiments/get-by-name");
    }

    @Test
    public void shouldFindTheArtifactProxyPathOfARun() {
        assertThat(RunLogger.artifactRoot("mlflow-artifacts:/3/abc/artifacts")).contains("3/abc/artifacts");
        assertThat(RunLogger.artifactRoot("mlflow-artifacts://mlflow:5000/3/abc/artifacts/"))
                .contains("3/abc/artifacts");
        assertThat(RunLogger.artifactRoot("s3://bucket/3/abc/artifacts")).isEmpty();
        assertThat(RunLogger.artifactRoot("/mlruns/3/abc/artifacts")).isEmpty();
        assertThat(RunLogger.artifactRoot(null)).isEmpty();
    }
}
