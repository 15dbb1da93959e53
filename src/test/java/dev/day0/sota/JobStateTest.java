package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JobStateTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private JobState read(String json) {
        return JobState.read(SotaFiles.write(temp.getRoot().toPath(), "state.json", json));
    }

    private void assertRefused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(InputException.class)
                .hasMessageContaining("state.json: ").hasMessageContaining(message);
    }

    @Test
    public void shouldReadTheDocumentedFields() {
        JobState state = read(SotaFiles.state("DONE", true, "DONE"));

        assertThat(state.jobId()).isEqualTo("job-42");
        assertThat(state.jobDone()).isTrue();
        assertThat(state.costActualCents()).isEqualTo(1234L);
        assertThat(state.artifactsDir()).isEqualTo("/tmp/artifacts");
        assertThat(state.condition()).isEqualTo(JobState.Condition.FINISHED);
        assertThat(state.blocker()).isNull();
    }

    @Test
    public void shouldMapEveryOutcomeToACondition() {
        assertThat(read(SotaFiles.state("RUNNING", false, null)).condition())
                .isEqualTo(JobState.Condition.NOT_FINISHED);
        assertThat(read(SotaFiles.state("FAILED", false, "FAILED")).condition()).isEqualTo(JobState.Condition.FAILED);
        assertThat(read(SotaFiles.state("CANCELLED", false, "CANCELLED")).condition())
                .isEqualTo(JobState.Condition.CANCELLED);
        assertThat(read(SotaFiles.state("DONE", false, "COULD_NOT_JUDGE")).blocker())
                .contains("without a JOB_DONE line");
        assertThat(read(SotaFiles.state(null, false, "INFRA_TRANSIENT")).condition())
                .isEqualTo(JobState.Condition.INFRASTRUCTURE);
        assertThat(read(SotaFiles.state(null, false, "NEEDS_HUMAN")).blocker()).contains("NEEDS_HUMAN");
    }

    @Test
    public void shouldIgnoreFieldsItDoesNotRead() {
        JobState state = read("{\"state\": \"DONE\", \"job_done\": true, \"outcome\": \"DONE\", \"job_id\": \"j\", "
                + "\"run_id\": \"r-1\", \"polls\": [1, 2]}");

        assertThat(state.condition()).isEqualTo(JobState.Condition.FINISHED);
    }

    @Test
    public void shouldFailClosedOnAnythingUnexpected() {
        assertRefused("{\"job_done\": true, \"outcome\": \"DONE\"}", "state: is missing");
        assertRefused("{\"state\": \"DONE\", \"outcome\": \"DONE\"}", "job_done: is missing");
        assertRefused("{\"state\": \"DONE\", \"job_done\": true}", "outcome: is missing");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("\"job_done\": true", "\"job_done\": \"true\""),
                "job_done: must be true or false");
        assertRefused(SotaFiles.state("DONE", true, "SUCCESS"), "outcome: must be one of DONE, FAILED");
        assertRefused(SotaFiles.state("done", true, "DONE"), "state: must be a platform state in capitals");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("1234", "-5"), "cost_actual_cents: must be at "
                + "least 0");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("1234", "12.5"), "cost_actual_cents: must be a "
                + "whole number");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("\"" + "a".repeat(64) + "\"", "\"abc\""),
                "quote_sha256: must be 64 lower-case hex digits");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("\"job-42\"", "7"), "job_id: must be a string");
        assertRefused("[]", "must be an object");
    }

    @Test
    public void shouldRefuseAStateFileThatContradictsItself() {
        assertRefused(SotaFiles.state("DONE", false, "DONE"), "outcome: is DONE but job_done is false");
        assertRefused(SotaFiles.state("FAILED", true, "DONE"), "outcome: is DONE but state is FAILED");
        assertRefused(SotaFiles.state("DONE", true, "DONE").replace("\"job-42\"", "null"),
                "outcome: is DONE but job_id is null");
    }
}
