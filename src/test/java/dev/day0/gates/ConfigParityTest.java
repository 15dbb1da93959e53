package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import org.junit.Test;

public class ConfigParityTest {
    private static JsonNode run(String config) {
        return Json.parse("{\"tasks\": {}, \"config_source\": \"nel:config.yml\", \"config\": " + config + "}", "run");
    }

    private static final String BASELINE = "{\"deployment.checkpoint_path\": \"/ckpt/Llama-3.1-8B\", "
            + "\"deployment.served_model_name\": \"llama-bf16\", \"deployment.tensor_parallel_size\": 1, "
            + "\"evaluation.tasks.0.params.temperature\": 0.6, \"target.api_endpoint.model_id\": \"llama-bf16\", "
            + "\"evaluation.nemo_evaluator_config.config.params.request_timeout\": 3600}";

    @Test
    public void shouldMatchWhenOnlyTheCheckpointAndServedNameDiffer() {
        String candidate = BASELINE.replace("/ckpt/Llama-3.1-8B", "/ckpt/Llama-3.1-8B-NVFP4")
                .replace("llama-bf16", "llama-nvfp4").replace("0.6", "0.60");

        ConfigParity.Report report = ConfigParity.compare(run(BASELINE), "b.json", run(candidate), "c.json");

        assertThat(report.matches()).isTrue();
        assertThat(report.ignoredKeys()).containsExactly("deployment.checkpoint_path",
                "deployment.served_model_name", "target.api_endpoint.model_id");
        assertThat(report.flags()).isEmpty();
        assertThat(report.baselineSource()).isEqualTo("nel:config.yml");
    }

    @Test
    public void shouldNameEveryOtherDifferingKeyAndMakeTheCompareAnomalous() {
        String candidate = BASELINE.replace("\"deployment.tensor_parallel_size\": 1",
                "\"deployment.tensor_parallel_size\": 2, \"evaluation.tasks.0.params.top_p\": 0.95");

        ConfigParity.Report report = ConfigParity.compare(run(BASELINE), "b.json", run(candidate), "c.json");
        GateResult accepted = new GateResult("compare", true, Decision.ACCEPT, null, "all tasks within", null);
        GateResult result = report.applyTo(accepted);

        assertThat(report.differences()).extracting(ConfigParity.Difference::key).containsExactly(
                "deployment.tensor_parallel_size", "evaluation.tasks.0.params.top_p");
        assertThat(result.pass()).isFalse();
        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(result.failureClass()).isEqualTo(FailureClass.CONFIG_MISMATCH);
        assertThat(result.detail()).isEqualTo("baseline and candidate were evaluated with different configuration "
                + "in 2 key(s): deployment.tensor_parallel_size (baseline 1, candidate 2); "
                + "evaluation.tasks.0.params.top_p (baseline absent, candidate 0.95)");
        assertThat(result.toJson().path("decision_without_parity").path("decision").asText()).isEqualTo("ACCEPT");
    }

    @Test
    public void shouldFlagAnUnboundedRequestTimeoutWithoutFailingOnIt() {
        String unbounded = BASELINE.replace("request_timeout\": 3600", "request_timeout\": 1e9");

        ConfigParity.Report report = ConfigParity.compare(run(unbounded), "b.json", run(unbounded), "c.json");

        assertThat(report.matches()).isTrue();
        assertThat(report.flags()).hasSize(2).allSatisfy(flag -> assertThat(flag)
                .contains("request_timeout = 1E+9 is an unbounded request timeout"));
    }

    @Test
    public void shouldRefuseARunSummaryWithoutAConfigMap() {
        JsonNode none = Json.parse("{\"tasks\": {}}", "run");
        JsonNode nested = Json.parse("{\"config\": {\"model_args\": {\"pretrained\": \"x\"}}}", "run");

        assertThatThrownBy(() -> ConfigParity.compare(none, "b.json", run(BASELINE), "c.json"))
                .isInstanceOf(InputException.class).hasMessageStartingWith("b.json: config: missing");
        assertThatThrownBy(() -> ConfigParity.compare(run(BASELINE), "b.json", nested, "c.json"))
                .hasMessage("c.json: config.model_args: must be a scalar (the map is flattened to dotted keys), "
                        + "got object");
    }

    @Test
    public void shouldIgnoreOnlyKeysThatNameTheEvaluatedModel() {
        assertThat(ConfigParity.isIdentity("model_args.pretrained")).isTrue();
        assertThat(ConfigParity.isIdentity("deployment.checkpoint_path")).isTrue();
        assertThat(ConfigParity.isIdentity("model_args.tokenizer")).isFalse();
        assertThat(ConfigParity.isIdentity("gen_kwargs.temperature")).isFalse();
    }
}
