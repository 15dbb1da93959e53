package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import org.junit.Test;

public class TriageCommandTest {
    @Test
    public void shouldPrintTheRetryForAFirstTransientFailure() {
        CliRun run = CliRun.run("triage", "--failure-class", "INFRA_TRANSIENT", "--attempt", "1");

        assertThat(run.exitCode()).isEqualTo(0);
        JsonNode json = Json.parse(run.out(), "stdout");
        assertThat(json.path("retry").asBoolean()).isTrue();
        assertThat(json.path("decision").isNull()).isTrue();
        assertThat(json.path("action").asText()).contains("retry the stage once");
    }

    @Test
    public void shouldPrintTheDecisionWhenOutOfOptions() {
        JsonNode json = Json.parse(CliRun.run("triage", "--failure-class", "infra_transient", "--attempt", "2").out(),
                "stdout");

        assertThat(json.path("retry").asBoolean()).isFalse();
        assertThat(json.path("decision").asText()).isEqualTo("SYSTEMIC");
    }

    @Test
    public void shouldRejectAnUnknownClassListingTheKnownOnes() {
        CliRun run = CliRun.run("triage", "--failure-class", "OOPS");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown failure class \"OOPS\"").contains("INFRA_TRANSIENT");
    }

    @Test
    public void shouldRejectAnAttemptBelowOne() {
        assertThat(CliRun.run("triage", "--failure-class", "UNKNOWN", "--attempt", "0").exitCode()).isEqualTo(2);
        assertThat(CliRun.run("triage", "--failure-class", "UNKNOWN", "--attempt", "x").exitCode()).isEqualTo(2);
    }
}
