package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SubmissionStateTest {
    /** The fields other tools rely on (day0 sota assess --job-state, the release conductor, the Jenkins step). */
    static final List<String> CONTRACT = List.of("idempotency_key", "quote_sha256", "job_id", "state", "job_done",
            "outcome", "cost_actual_cents", "artifacts_dir");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private SubmissionState prepared(Path dir) {
        JobSpec spec = new JobSpec("x", GpuType.A100_80GB, 1, "us", "spot", 60, null, null);
        TermSheet sheet = TermSheet.of(Approval.approve(TermSheet.of(Quotes.termSheet(spec, Pricing.fromMarket(
                Json.read(RockieFixture.MARKET_AVAILABLE), "m", spec, "market"), Instant.now()), "q"), "alice", null,
                Instant.now(), dev.day0.testing.ApprovalKeys.key()), "a");
        try {
            Files.writeString(dir.resolve("job.sh"), "echo\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SubmitRequest request = SubmitRequest.builder().readScript(dir.resolve("job.sh"))
                .shape(GpuType.A100_80GB, 1, 3600, "us", "spot").termSheet(dir.resolve("a.json"))
                .stateFile(dir.resolve("state.json")).ledgerDir(dir).build();
        return SubmissionState.prepare("k".repeat(64), sheet, sheet.recordedSha256(), request, "run-1");
    }

    @Test
    public void shouldCarryEveryContractFieldFromTheStart() throws Exception {
        Path dir = temp.getRoot().toPath();
        prepared(dir).write(dir.resolve("state.json"), Redactor.patternsOnly());

        JsonNode json = Json.read(dir.resolve("state.json"));

        assertThat(CONTRACT).allSatisfy(field -> assertThat(json.has(field)).as(field).isTrue());
        assertThat(json.path("job_id").isNull()).isTrue();
        assertThat(json.path("outcome").isNull()).isTrue();
        assertThat(json.path("job_done").asBoolean()).isFalse();
        assertThat(json.path("phase").asText()).isEqualTo("prepared");
        assertThat(Files.readString(dir.resolve("state.json"))).endsWith(System.lineSeparator());
    }

    @Test
    public void shouldReadBackWhatItWrote() {
        Path dir = temp.getRoot().toPath();
        SubmissionState state = prepared(dir);
        state.submitted("rj_1", Json.parse("{\"estimated_cost_cents\": 100, \"dashboard_note_id\": \"n\"}", "r"),
                dir.resolve("artifacts"));
        state.observe(Json.parse("{\"state\": \"DONE\", \"cost_actual_cents\": 90}", "j"), "JOB_DONE", true);
        state.finish(Outcome.DONE, 0, "ok");
        state.write(dir.resolve("state.json"), Redactor.patternsOnly());

        SubmissionState back = SubmissionState.readIfExists(dir.resolve("state.json"));

        assertThat(back.jobId()).isEqualTo("rj_1");
        assertThat(back.phase()).isEqualTo("submitted");
        assertThat(back.jobDone()).isTrue();
        assertThat(back.outcome()).isEqualTo("DONE");
        assertThat(back.costSoFarCents()).isEqualTo(90);
        assertThat(back.artifactsDir()).isEqualTo(dir.resolve("artifacts"));
    }

    @Test
    public void shouldReportNoStateWhenThereIsNoFile() {
        assertThat(SubmissionState.readIfExists(temp.getRoot().toPath().resolve("none.json"))).isNull();
    }

    @Test
    public void shouldRefuseAFileThatIsNotAStateFile() throws Exception {
        Path file = temp.newFile("other.json").toPath();
        Files.writeString(file, "{\"job_id\": \"x\"}");

        assertThatThrownBy(() -> SubmissionState.readIfExists(file)).isInstanceOfSatisfying(RockieException.class,
                e -> assertThat(e.exitCode()).isEqualTo(RockieExit.USAGE.code()));
    }
}
