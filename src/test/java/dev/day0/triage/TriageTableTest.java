package dev.day0.triage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import org.junit.Test;

public class TriageTableTest {
    @Test
    public void shouldHaveARowForEveryFailureClass() {
        for (FailureClass failureClass : FailureClass.values()) {
            TriageRule rule = TriageTable.rule(failureClass);

            assertThat(rule.failureClass()).isEqualTo(failureClass);
            assertThat(rule.action()).isNotBlank();
            assertThat(rule.maxAttempts()).isPositive();
            assertThat(rule.whenExhausted()).as("%s must end in a decision", failureClass).isNotNull();
        }
        assertThat(TriageTable.rules()).hasSize(FailureClass.values().length);
    }

    @Test
    public void shouldRetryAnInfraTransientFailureOnceThenCallItSystemic() {
        TriageVerdict first = TriageTable.after(FailureClass.INFRA_TRANSIENT, 1);
        TriageVerdict second = TriageTable.after(FailureClass.INFRA_TRANSIENT, 2);

        assertThat(first.retry()).isTrue();
        assertThat(first.decision()).isNull();
        assertThat(second.retry()).isFalse();
        assertThat(second.decision()).isEqualTo(Decision.SYSTEMIC);
    }

    @Test
    public void shouldWaitAndRetryAJudgeFailureBeforeAskingAPerson() {
        assertThat(TriageTable.after(FailureClass.EVAL_JUDGE_FAILED, 1).retry()).isTrue();
        assertThat(TriageTable.after(FailureClass.EVAL_JUDGE_FAILED, 1).rule().waitSeconds()).isPositive();
        assertThat(TriageTable.after(FailureClass.EVAL_JUDGE_FAILED, 3).decision()).isEqualTo(Decision.NEEDS_HUMAN);
    }

    @Test
    public void shouldAskForAPatchThenCallAnUnsupportedModelInfeasible() {
        TriageVerdict first = TriageTable.after(FailureClass.MODEL_UNSUPPORTED, 1);

        assertThat(first.retry()).isFalse();
        assertThat(first.decision()).isEqualTo(Decision.NEEDS_HUMAN);
        assertThat(first.rule().action()).contains("patch the recipe");
        assertThat(TriageTable.after(FailureClass.MODEL_UNSUPPORTED, 2).decision()).isEqualTo(Decision.INFEASIBLE);
        assertThat(TriageTable.finalDecision(FailureClass.MODEL_UNSUPPORTED)).isEqualTo(Decision.INFEASIBLE);
    }

    @Test
    public void shouldSendCoverageFailuresBackToPtqWithAFixedRecipe() {
        assertThat(TriageTable.rule(FailureClass.QUANT_COVERAGE_FAILURE).action()).contains("re-run PTQ");
        assertThat(TriageTable.finalDecision(FailureClass.DEPLOYMENT_HEALTH_FAILED)).isEqualTo(Decision.INFEASIBLE);
    }

    @Test
    public void shouldStopAndAskOnConfigurationAccountingAndUnknownFailures() {
        for (FailureClass failureClass : new FailureClass[] {FailureClass.USER_CONFIG_ERROR,
            FailureClass.SAMPLE_ACCOUNTING_FAILED, FailureClass.UNKNOWN}) {
            TriageVerdict verdict = TriageTable.after(failureClass, 1);

            assertThat(verdict.retry()).as(failureClass.name()).isFalse();
            assertThat(verdict.decision()).as(failureClass.name()).isEqualTo(Decision.NEEDS_HUMAN);
        }
    }

    @Test
    public void shouldNeverRetryBeyondTheAllowedAttempts() {
        for (FailureClass failureClass : FailureClass.values()) {
            int max = TriageTable.rule(failureClass).maxAttempts();

            assertThat(TriageTable.after(failureClass, max).retry()).as(failureClass.name()).isFalse();
            assertThat(TriageTable.after(failureClass, max + 5).decision()).isNotNull();
        }
    }

    @Test
    public void shouldMapDecisionsToPublishRecommendations() {
        assertThat(Decision.ACCEPT.publishRecommendation()).isEqualTo("publish");
        assertThat(Decision.NEEDS_HUMAN.publishRecommendation()).isEqualTo("needs-human");
        assertThat(Decision.REGRESSION.publishRecommendation()).isEqualTo("do-not-publish");
        assertThat(Decision.SYSTEMIC.publishRecommendation()).isEqualTo("do-not-publish");
    }

    @Test
    public void shouldNeverEvaluateOrPublishAfterAServingCanaryVerbosityOrConfigFailure() {
        assertThat(TriageTable.rule(FailureClass.CHECKPOINT_NOT_SERVABLE).action()).contains("do not evaluate");
        assertThat(TriageTable.after(FailureClass.CHECKPOINT_NOT_SERVABLE, 1).decision())
                .isEqualTo(Decision.NEEDS_HUMAN);
        assertThat(TriageTable.finalDecision(FailureClass.CHECKPOINT_NOT_SERVABLE)).isEqualTo(Decision.INFEASIBLE);
        assertThat(TriageTable.finalDecision(FailureClass.VERBOSITY_EXCEEDED).publishRecommendation())
                .isEqualTo("do-not-publish");
        assertThat(TriageTable.finalDecision(FailureClass.CONFIG_MISMATCH)).isEqualTo(Decision.ANOMALOUS);
        assertThat(TriageTable.after(FailureClass.CONFIG_MISMATCH, 1).retry()).isFalse();
    }
}
