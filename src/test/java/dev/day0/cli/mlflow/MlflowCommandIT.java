package dev.day0.cli.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.io.Json;
import dev.day0.mlflow.BaselineFinderTest;
import dev.day0.mlflow.FakeMlflowServer;
import dev.day0.testing.Day0Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The packaged jar records an eval in a loopback MLflow server and finds it again as a baseline. */
public class MlflowCommandIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeMlflowServer server = FakeMlflowServer.start();

    @After
    public void stop() {
        server.close();
    }

    @Test
    public void shouldLogAnEvalAndFindItAsTheBaselineButNotForOtherSampling() throws IOException {
        Path dir = temp.getRoot().toPath();
        Files.writeString(dir.resolve("scores.json"), "{\"gsm8k\": 0.781, \"mmlu_pro\": 0.613}");
        Files.writeString(dir.resolve("tasks.json"), BaselineFinderTest.TASKS);
        Files.writeString(dir.resolve("sampling.json"), BaselineFinderTest.SAMPLING);
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", server.url(), "MLFLOW_TRACKING_TOKEN",
                "it-token-77aa88bb99");

        Day0Process log = Day0Process.run(dir, env, "mlflow", "log", "--kind", "eval", "--model",
                BaselineFinderTest.MODEL, "--tasks", "@tasks.json", "--sampling", "@sampling.json", "--scores",
                "scores.json");
        Day0Process find = Day0Process.run(dir, env, "mlflow", "find-baseline", "--model", BaselineFinderTest.MODEL,
                "--tasks", "@tasks.json", "--sampling", "@sampling.json", "--scores", "baseline.json");
        Day0Process other = Day0Process.run(dir, env, "mlflow", "find-baseline", "--model",
                BaselineFinderTest.MODEL, "--tasks", "@tasks.json", "--sampling", "{\"temperature\": 0}", "--scores",
                "other.json");

        assertThat(log.exitCode()).as(log.toString()).isEqualTo(0);
        assertThat(find.exitCode()).as(find.toString()).isEqualTo(0);
        assertThat(Json.read(dir.resolve("baseline.json")).get("mmlu_pro").doubleValue()).isEqualTo(0.613);
        assertThat(other.exitCode()).as(other.toString()).isEqualTo(3);
        assertThat(Files.exists(dir.resolve("other.json"))).isFalse();
        assertThat(log.out() + log.err() + find.out() + find.err()).doesNotContain("it-token-77aa88bb99");
    }
}
