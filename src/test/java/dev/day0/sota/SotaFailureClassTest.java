package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.core.FailureClass;
import dev.day0.triage.TriageTable;
import org.junit.Test;

public class SotaFailureClassTest {
    @Test
    public void shouldUseTheIssuesVocabulary() {
        assertThat(SotaFailureClass.values()).extracting(SotaFailureClass::label)
                .containsExactly("bug", "bad-hyperparam", "bad-hypothesis", "infrastructure");
    }

    @Test
    public void shouldMapInfrastructureToTheRetryableTriageClass() {
        assertThat(SotaFailureClass.INFRASTRUCTURE.triage()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(TriageTable.rule(SotaFailureClass.INFRASTRUCTURE.triage()).automatic()).isTrue();
        assertThat(SotaFailureClass.BUG.triage()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(SotaFailureClass.BAD_HYPOTHESIS.triage()).isNull();
    }
}
