package dev.day0.rockie;

import static dev.day0.rockie.RockieFixture.event;
import static dev.day0.rockie.RockieFixture.files;
import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.submit;
import static dev.day0.rockie.RockieFixture.write;
import static dev.day0.rockie.RockieTestServer.finished;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;

/**
 * Every refusal of {@code day0 rockie submit} happens before any network call: the loopback platform must see no
 * request at all, and the exit code must say why.
 */
public class PreflightTest {
    private static final RockieFixture FIXTURE = new RockieFixture();

    private RockieTestServer rockie;
    private Path dir;
    private Map<String, String> env;
    private Path sheet;

    @Before
    public void setUp() {
        rockie = RockieTestServer.start();
        dir = FIXTURE.newDir();
        env = RockieFixture.env(rockie, dir);
        sheet = FIXTURE.approvedSheet(dir);
    }

    @After
    public void tearDown() {
        rockie.close();
    }

    @AfterClass
    public static void shouldHaveLeakedNoSecretInAnyOutputOrFile() {
        try {
            FIXTURE.assertNoSecretLeaked();
        } finally {
            FIXTURE.delete();
        }
    }

    private void assertRefused(CliRun run, int exitCode, String reason) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
        assertThat(rockie.requests()).as("requests sent").isEmpty();
        if (reason != null) {
            assertThat(event(run, "refused").path("reason").asText()).isEqualTo(reason);
        }
    }

    private CliRun submitWith(Path termSheet, String... extra) {
        return FIXTURE.run(env, submit(dir, termSheet, extra));
    }

    private Path edited(String field, Object value) {
        ObjectNode json = (ObjectNode) read(sheet);
        ObjectNode target = field.startsWith("compute.") ? (ObjectNode) json.get("compute") : json;
        String name = field.startsWith("compute.") ? field.substring("compute.".length()) : field;
        target.set(name, Json.mapper().valueToTree(value));
        Path file = dir.resolve("edited.json");
        write(file, Json.write(json));
        return file;
    }

    /** A sheet with this field changed and its hash recomputed, as a foreign tool could have written it. */
    private Path rehashed(String field, Object value) {
        ObjectNode json = (ObjectNode) read(edited(field, value));
        ((ObjectNode) json.get("decision")).put("quote_sha256", TermSheet.quoteSha256(json));
        Path file = dir.resolve("rehashed.json");
        write(file, Json.write(json));
        return file;
    }

    @Test
    public void shouldRefuseAPendingSheet() {
        assertRefused(submitWith(FIXTURE.pendingSheet(dir)), RockieExit.NOT_APPROVED.code(), "NOT_APPROVED");
    }

    @Test
    public void shouldRefuseASheetApprovedWithoutARecordOfWhoAndWhat() {
        Path foreign = RockieFixture.REFERENCE.resolve("approved-term-sheet.from-test.json");

        assertRefused(submitWith(foreign), RockieExit.NOT_APPROVED.code(), "NOT_APPROVED");
    }

    @Test
    public void shouldRefuseASheetChangedAfterApproval() {
        assertRefused(submitWith(edited("status_reason", "Capacity is plentiful.")), RockieExit.NOT_APPROVED.code(),
                "SHEET_CHANGED");
        assertRefused(submitWith(edited("user_budget_cents", 30000)), RockieExit.NOT_APPROVED.code(),
                "SHEET_CHANGED");
        assertRefused(submitWith(edited("compute.region", "eu"), "--region", "eu"), RockieExit.NOT_APPROVED.code(),
                "SHEET_CHANGED");
    }

    @Test
    public void shouldRefuseABudgetBelowTheEstimate() {
        assertRefused(submitWith(edited("user_budget_cents", 17999)), RockieExit.BUDGET.code(), "BUDGET");
        assertRefused(submitWith(rehashed("user_budget_cents", 100)), RockieExit.BUDGET.code(), "BUDGET");
    }

    @Test
    public void shouldRefuseStagesThatDoNotAddUpToTheEstimate() {
        assertRefused(submitWith(rehashed("estimate_cents", 20000)), RockieExit.BUDGET.code(), "BUDGET");
    }

    @Test
    public void shouldRefuseAShapeOrPlaceOtherThanTheApprovedOne() {
        assertRefused(submitWith(sheet, "--gpu-type", "H100_SXM"), RockieExit.NOT_APPROVED.code(), "SHAPE_MISMATCH");
        assertRefused(submitWith(sheet, "--gpu-count", "2"), RockieExit.NOT_APPROVED.code(), "SHAPE_MISMATCH");
        assertRefused(submitWith(sheet, "--region", "eu"), RockieExit.NOT_APPROVED.code(), "SHAPE_MISMATCH");
        assertRefused(submitWith(sheet, "--tier", "on_demand"), RockieExit.NOT_APPROVED.code(), "SHAPE_MISMATCH");
    }

    @Test
    public void shouldRefuseATimeoutOutsideTheApprovedWallClock() {
        assertRefused(submitWith(sheet, "--timeout", "3601"), RockieExit.NOT_APPROVED.code(), "WALLCLOCK_MISMATCH");
        assertRefused(submitWith(sheet, "--timeout", "3540"), RockieExit.NOT_APPROVED.code(), "WALLCLOCK_MISMATCH");
        assertRefused(submitWith(sheet, "--timeout", "60"), RockieExit.NOT_APPROVED.code(), "WALLCLOCK_MISMATCH");
    }

    @Test
    public void shouldAcceptTheEdgesOfTheWallClockWindow() {
        rockie.acceptSubmit("rj_edge", 17500);
        List<Integer> codes = new ArrayList<>();
        for (String timeout : new String[] {"3541", "3600"}) {
            Path own = FIXTURE.newDir();
            Path ownSheet = FIXTURE.approvedSheet(own);
            String[] args = submit(own, ownSheet, "--timeout", timeout, "--no-wait");
            codes.add(FIXTURE.run(RockieFixture.env(rockie, own), args).exitCode());
        }

        assertThat(codes).containsExactly(0, 0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(2);
    }

    @Test
    public void shouldRefuseAnUnavailableQuote() {
        assertRefused(submitWith(rehashed("availability", "unavailable")), RockieExit.NOT_APPROVED.code(),
                "NOT_AVAILABLE");
    }

    @Test
    public void shouldRefuseWithoutATermSheet() {
        Path garbage = dir.resolve("garbage.json");
        write(garbage, "not json at all");
        Path list = dir.resolve("list.json");
        write(list, "[1, 2]");
        Path partial = dir.resolve("partial.json");
        write(partial, "{\"quote_id\": \"qts_x\", \"availability\": \"available\"}");

        assertRefused(submitWith(dir.resolve("missing.json")), RockieExit.NO_TERM_SHEET.code(), "NO_TERM_SHEET");
        assertRefused(submitWith(garbage), RockieExit.NO_TERM_SHEET.code(), "NO_TERM_SHEET");
        assertRefused(submitWith(list), RockieExit.NO_TERM_SHEET.code(), "NO_TERM_SHEET");
        assertRefused(submitWith(partial), RockieExit.NO_TERM_SHEET.code(), "NO_TERM_SHEET");
    }

    @Test
    public void shouldRefuseAnApprovedSheetThatWasAlreadyUsed() {
        rockie.acceptSubmit("rj_used", 17500).jobStates("rj_used", finished("DONE", "JOB_DONE", 90, null))
                .artifacts("rj_used", files("metrics.json", "{}"));
        CliRun first = FIXTURE.run(env, submit(dir, sheet));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(0);
        int before = rockie.requests().size();

        String[] otherState = submit(dir, sheet, "--state-file", dir.resolve("other-state.json").toString());
        CliRun secondStateFile = FIXTURE.run(env, otherState);
        Path otherScript = dir.resolve("other.sh");
        write(otherScript, "#!/usr/bin/env bash\necho other\necho JOB_DONE\n");
        CliRun otherScriptSameState = FIXTURE.run(env, submit(dir, sheet, "--script", otherScript.toString()));
        CliRun otherRunId = FIXTURE.run(env, submit(dir, sheet, "--run-id", "another-run"));

        assertThat(secondStateFile.exitCode()).as(secondStateFile.toString()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(event(secondStateFile, "refused").path("reason").asText()).isEqualTo("SHEET_ALREADY_USED");
        assertThat(otherScriptSameState.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(event(otherScriptSameState, "refused").path("reason").asText()).isEqualTo("SHEET_ALREADY_USED");
        assertThat(otherRunId.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(rockie.requests()).hasSize(before);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldRefuseASheetWhoseLedgerEntrySurvivedItsStateFile() throws Exception {
        rockie.acceptSubmit("rj_lost", 17500);
        CliRun first = FIXTURE.run(env, submit(dir, sheet, "--no-wait"));
        assertThat(first.exitCode()).isEqualTo(0);
        java.nio.file.Files.delete(dir.resolve("state.json"));
        int before = rockie.requests().size();

        CliRun again = FIXTURE.run(env, submit(dir, sheet, "--no-wait"));

        assertThat(again.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(rockie.requests()).hasSize(before);
    }

    @Test
    public void shouldRefuseWithoutThePlatformEnvironment() {
        for (String name : List.of("ROCKIELAB_API_URL", "ROCKIELAB_TENANT_TOKEN", "ROCKIELAB_TENANT_ID")) {
            Map<String, String> partial = new java.util.HashMap<>(env);
            partial.remove(name);

            CliRun run = FIXTURE.run(partial, submit(dir, sheet));

            assertRefused(run, RockieExit.USAGE.code(), "USAGE");
            assertThat(run.err()).contains(name);
        }
        Map<String, String> withCredentials = new java.util.HashMap<>(env);
        withCredentials.put("ROCKIELAB_API_URL", "http://user:pw123456@127.0.0.1:1");
        assertRefused(FIXTURE.run(withCredentials, submit(dir, sheet)), RockieExit.USAGE.code(), "USAGE");
    }

    @Test
    public void shouldRefuseAScriptThatCarriesASecret() throws Exception {
        // The script is test input, not output: it lives outside the scanned directory.
        Path leaky = java.nio.file.Files.createTempFile("leaky", ".sh");
        try {
            write(leaky, "#!/usr/bin/env bash\nexport HF_TOKEN=hf_QwErTyUiOpAsDfGhJkLzXcVbNm012345\necho JOB_DONE\n");

            CliRun run = FIXTURE.run(env, submit(dir, sheet, "--script", leaky.toString()));

            assertRefused(run, RockieExit.USAGE.code(), "USAGE");
            assertThat(run.err()).contains("line 2").contains("--env NAME");
        } finally {
            java.nio.file.Files.deleteIfExists(leaky);
        }
    }

    @Test
    public void shouldRefuseBadOptions() {
        assertRefused(submitWith(sheet, "--gpu-type", "RTX4090"), RockieExit.USAGE.code(), "USAGE");
        assertRefused(FIXTURE.run(env, submit(dir, sheet, "--notebook-id", "nb", "--monitoring-profile-id",
                "made.up.v1")), RockieExit.USAGE.code(), "USAGE");
        assertRefused(FIXTURE.run(env, submit(dir, sheet, "--env", "ROCKIELAB_TENANT_TOKEN")), RockieExit.USAGE.code(),
                "USAGE");
        assertRefused(FIXTURE.run(env, submit(dir, sheet, "--env", "NOT_SET_ANYWHERE")), RockieExit.USAGE.code(),
                "USAGE");
        assertRefused(submitWith(sheet, "--script", dir.resolve("missing.sh").toString()), RockieExit.USAGE.code(),
                "USAGE");
        assertRefused(FIXTURE.run(env, "rockie", "submit", "--term-sheet", sheet.toString()), RockieExit.USAGE.code(),
                null);
    }

    @Test
    public void shouldRefuseAStateFileOfAnotherSheet() {
        rockie.acceptSubmit("rj_other", 17500);
        Path otherDir = FIXTURE.newDir();
        Path otherSheet = FIXTURE.approvedSheet(otherDir);
        String[] args = submit(otherDir, otherSheet, "--no-wait", "--state-file", dir.resolve("state.json").toString());
        assertThat(FIXTURE.run(env, args).exitCode()).isEqualTo(0);
        int before = rockie.requests().size();

        CliRun run = FIXTURE.run(env, submit(dir, sheet, "--no-wait"));

        assertThat(run.exitCode()).isEqualTo(RockieExit.USAGE.code());
        assertThat(run.err()).contains("belongs to another term sheet");
        assertThat(rockie.requests()).hasSize(before);
    }

    @Test
    public void shouldRefuseAStateFileThatIsNotOne() {
        write(dir.resolve("state.json"), "{\"hello\": 1}");

        assertRefused(FIXTURE.run(env, submit(dir, sheet)), RockieExit.USAGE.code(), "USAGE");
    }
}
