package dev.day0.cli.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.mlflow.BaselineFinderTest;
import dev.day0.mlflow.BaselineKeyTest;
import dev.day0.testing.CliRun;
import org.junit.Test;

public class MlflowCommandTest {
    @Test
    public void shouldPrintTheKeyItsTagsAndTheFilterWithoutAServer() {
        CliRun run = CliRun.run("mlflow", "key", "--model", BaselineFinderTest.MODEL, "--tasks",
                BaselineFinderTest.TASKS, "--sampling", BaselineFinderTest.SAMPLING, "--config-hash", "4f0c9a1e");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode key = Json.parse(run.out(), "stdout");
        assertThat(key.get("task_set_hash").asText()).isEqualTo(BaselineKeyTest.TASKS_HASH);
        assertThat(key.get("sampling_params_hash").asText()).isEqualTo(BaselineKeyTest.SAMPLING_HASH);
        assertThat(key.get("tasks").toString()).isEqualTo("[\"gsm8k\",\"mmlu_pro\"]");
        assertThat(key.get("tags").get("day0.config_hash").asText()).isEqualTo("4f0c9a1e");
        assertThat(key.get("filter").asText()).endsWith("AND tags.`day0.config_hash` = '4f0c9a1e'");
    }

    @Test
    public void shouldNameTheBrokenTaskFileAndField() {
        CliRun run = CliRun.run("mlflow", "key", "--model", "m", "--tasks", "[\"gsm8k\", 7]", "--sampling", "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--tasks: [1]: must be a task name, found number 7");
        assertThat(run.out()).contains("USER_CONFIG_ERROR");
    }

    @Test
    public void shouldRejectAMissingTaskFile() {
        CliRun run = CliRun.run("mlflow", "key", "--model", "m", "--tasks", "@/no/such/tasks.json", "--sampling",
                "{}");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("/no/such/tasks.json: file not found");
    }

    @Test
    public void shouldRejectAnUnknownKind() {
        CliRun run = CliRun.run("mlflow", "log", "--kind", "checkpoint");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--kind");
    }
}
