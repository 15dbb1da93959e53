package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;

public class JudgmentTest {
    @Test
    public void shouldStartTheDocumentWithTheVerdictAndTheSuggestedClassWithItsTriageClass() {
        ObjectNode json = Judgment.document("verdict", "could_not_judge", false,
                new Attribution.Suggestion(SotaFailureClass.INFRASTRUCTURE, "the job never finished"), "no metrics");

        assertThat(json.fieldNames()).toIterable().containsExactly("verdict", "pass", "failure_class",
                "triage_class", "failure_class_reason", "detail");
        assertThat(json.path("verdict").asText()).isEqualTo("could_not_judge");
        assertThat(json.path("pass").asBoolean()).isFalse();
        assertThat(json.path("failure_class").asText()).isEqualTo("infrastructure");
        assertThat(json.path("triage_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(json.path("failure_class_reason").asText()).isEqualTo("the job never finished");
    }

    @Test
    public void shouldLeaveTheClassesNullForAResearchFindingOrNoSuggestion() {
        ObjectNode finding = Judgment.document("outcome", "regressed", false,
                new Attribution.Suggestion(SotaFailureClass.BAD_HYPERPARAM, "try other settings"), "regressed");
        ObjectNode none = Judgment.document("outcome", "improved", true, null, "improved");

        assertThat(finding.path("failure_class").asText()).isEqualTo("bad-hyperparam");
        assertThat(finding.get("triage_class").isNull()).isTrue();
        assertThat(none.get("failure_class").isNull()).isTrue();
        assertThat(none.get("triage_class").isNull()).isTrue();
        assertThat(none.get("failure_class_reason").isNull()).isTrue();
        assertThat(none.path("pass").asBoolean()).isTrue();
    }
}
