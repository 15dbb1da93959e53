package dev.day0.cli.rockie;

import static dev.day0.rockie.RockieFixture.files;
import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.submit;
import static dev.day0.rockie.RockieFixture.write;
import static dev.day0.rockie.RockieTestServer.finished;
import static dev.day0.rockie.RockieTestServer.json;
import static dev.day0.rockie.RockieTestServer.poll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decision;
import dev.day0.io.Json;
import dev.day0.rockie.RockieExit;
import dev.day0.rockie.RockieFixture;
import dev.day0.rockie.RockieTestServer;
import dev.day0.testing.ApprovalKeys;
import dev.day0.testing.Day0Process;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.AfterClass;
import org.junit.Test;

/** The rockie commands as a separate process: exit codes as the platform's client has them, and a real crash. */
public class RockieCommandIT {
    /** The environment of an approval: the tests' approval key, nothing else. */
    private static final Map<String, String> KEYED = ApprovalKeys.with(Map.of());

    private static final RockieFixture FIXTURE = new RockieFixture();

    @AfterClass
    public static void shouldHaveLeakedNoSecretInAnyOutputOrFile() {
        try {
            FIXTURE.assertNoSecretLeaked();
        } finally {
            FIXTURE.delete();
        }
    }

    private static Day0Process day0(Path dir, Map<String, String> env, String... args) {
        Day0Process run = Day0Process.run(dir, env, args);
        FIXTURE.record(run.out(), run.err());
        return run;
    }

    /** Runs one submit scenario in its own directory against its own server; returns the exit code. */
    private static int scenario(BiConsumer<RockieTestServer, Path> script, String sheetKind, String... extra) {
        try (RockieTestServer rockie = RockieTestServer.start()) {
            Path dir = FIXTURE.newDir();
            Map<String, String> env = new HashMap<>(RockieFixture.env(rockie, dir));
            Path sheet = switch (sheetKind) {
                case "pending" -> FIXTURE.pendingSheet(dir);
                case "missing" -> dir.resolve("missing.json");
                case "below-budget" -> {
                    Path approved = FIXTURE.approvedSheet(dir);
                    ObjectNode json = (ObjectNode) read(approved);
                    json.put("user_budget_cents", 100);
                    write(approved, Json.write(json));
                    yield approved;
                }
                default -> FIXTURE.approvedSheet(dir);
            };
            if ("no-token".equals(sheetKind)) {
                env.remove("ROCKIELAB_TENANT_TOKEN");
            }
            script.accept(rockie, dir);
            int code = day0(dir, env, submit(dir, sheet, extra)).exitCode();
            if (code == RockieExit.USAGE.code() || code >= RockieExit.NO_TERM_SHEET.code()
                    && code != RockieExit.CANCELLED.code()) {
                assertThat(rockie.requests()).as("requests before a refusal").isEmpty();
            }
            return code;
        }
    }

    @Test
    public void shouldExitWithTheCodesOfThePlatformClient() {
        Map<String, Integer> codes = new LinkedHashMap<>();
        codes.put("done", scenario((r, d) -> r.acceptSubmit("rj", 1).jobStates("rj", poll("RUNNING", "x", 1),
                finished("DONE", "JOB_DONE", 5, null)).artifacts("rj", files("metrics.json", "{}")), "approved"));
        codes.put("failed", scenario((r, d) -> r.acceptSubmit("rj", 1)
                .jobStates("rj", finished("FAILED", "boom", 5, "exit 1")), "approved"));
        codes.put("usage", scenario((r, d) -> { }, "no-token"));
        codes.put("network", scenario((r, d) -> r.acceptSubmit("rj", 1).on("GET", "/api/jobs/rj", json(503, "{}")),
                "approved"));
        codes.put("credit", scenario((r, d) -> r.rejectSubmit(402, "{\"detail\": {\"error\": {\"code\": \"c\", "
                + "\"balance\": 1, \"needed\": 2, \"message\": \"m\"}}}"), "approved"));
        codes.put("submit error", scenario((r, d) -> r.rejectSubmit(400, "{\"detail\": \"no\"}"), "approved"));
        codes.put("job not found", scenario((r, d) -> r.acceptSubmit("rj", 1)
                .on("GET", "/api/jobs/rj", json(404, "{}")), "approved"));
        codes.put("job read error", scenario((r, d) -> r.acceptSubmit("rj", 1)
                .on("GET", "/api/jobs/rj", json(403, "{}")), "approved"));
        codes.put("no job id", scenario((r, d) -> r.on("POST", "/api/jobs/submit", json(200, "{}")), "approved"));
        codes.put("no term sheet", scenario((r, d) -> { }, "missing"));
        codes.put("not approved", scenario((r, d) -> { }, "pending"));
        codes.put("budget", scenario((r, d) -> { }, "below-budget"));
        codes.put("cancelled", scenario((r, d) -> r.acceptSubmit("rj", 1)
                .jobStates("rj", finished("CANCELLED", "stop", 5, null)), "approved"));

        assertThat(codes).containsExactly(
                Map.entry("done", 0), Map.entry("failed", 1), Map.entry("usage", 2), Map.entry("network", 3),
                Map.entry("credit", 4), Map.entry("submit error", 5), Map.entry("job not found", 6),
                Map.entry("job read error", 7), Map.entry("no job id", 8), Map.entry("no term sheet", 9),
                Map.entry("not approved", 10), Map.entry("budget", 11), Map.entry("cancelled", 130));
    }

    @Test
    public void shouldQuoteAndApproveAsAProcess() {
        Path dir = FIXTURE.newDir();
        Path spec = RockieFixture.spec(dir, "A100_80GB", 1, 60);
        Path quote = dir.resolve("quote.json");
        Path approved = dir.resolve("approved.json");

        Day0Process quoted = day0(dir, Map.of(), "rockie", "quote", "--job-spec", spec.toString(), "--market-json",
                RockieFixture.MARKET_AVAILABLE.toAbsolutePath().toString(), "--out", quote.toString());
        Day0Process low = day0(dir, KEYED, "rockie", "approve", "--term-sheet", quote.toString(), "--approver",
                "alice", "--budget-cents", "100");
        Day0Process ok = day0(dir, KEYED, "rockie", "approve", "--term-sheet", quote.toString(), "--approver",
                "alice", "--out", approved.toString());
        Day0Process rendered = day0(dir, Map.of(), "rockie", "render", "--term-sheet", approved.toString());

        assertThat(quoted.exitCode()).as(quoted.toString()).isEqualTo(0);
        assertThat(low.exitCode()).isEqualTo(RockieExit.BUDGET.code());
        assertThat(ok.exitCode()).isEqualTo(0);
        assertThat(read(approved).path("decision").path("approved_for_submit").asBoolean()).isTrue();
        assertThat(rendered.out()).contains("Decision:     approve by alice");
    }

    @Test
    public void shouldStopWithNeedsHumanAfterACrashBetweenThePostAndTheStateUpdate() throws Exception {
        try (RockieTestServer rockie = RockieTestServer.start()) {
            Path dir = FIXTURE.newDir();
            Map<String, String> env = RockieFixture.env(rockie, dir);
            Path sheet = FIXTURE.approvedSheet(dir);
            CountDownLatch arrived = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            rockie.on("POST", "/api/jobs/submit",
                    rockie.hold(arrived, release, json(200, "{\"job_id\": \"rj_lost\"}")),
                    json(200, "{\"job_id\": \"rj_lost\"}"));
            rockie.jobStates("rj_lost", finished("DONE", "JOB_DONE", 90, null))
                    .artifacts("rj_lost", files("metrics.json", "{}"));

            Process crashing = start(dir, env, submit(dir, sheet));
            assertThat(arrived.await(60, TimeUnit.SECONDS)).as("the POST reached the platform").isTrue();
            crashing.destroyForcibly();
            assertThat(crashing.waitFor(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();

            JsonNode state = read(dir.resolve("state.json"));
            assertThat(state.path("phase").asText()).isEqualTo("posting");
            assertThat(state.path("job_id").isNull()).isTrue();

            Day0Process rerun = day0(dir, env, submit(dir, sheet));

            assertThat(rerun.exitCode()).as(rerun.toString()).isEqualTo(RockieExit.NO_JOB_ID.code());
            assertThat(read(dir.resolve("state.json")).path("outcome").asText()).isEqualTo("NEEDS_HUMAN");
            assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);

            Day0Process confirmed = day0(dir, env, submit(dir, sheet, "--confirm-resubmit"));

            assertThat(confirmed.exitCode()).as(confirmed.toString()).isEqualTo(0);
            List<RockieTestServer.Recorded> posts = rockie.requests("POST", "/api/jobs/submit");
            assertThat(posts).hasSize(2);
            assertThat(posts.get(1).header("Idempotency-Key")).isEqualTo(posts.get(0).header("Idempotency-Key"))
                    .isEqualTo(state.path("idempotency_key").asText());
        }
    }

    @Test
    public void shouldReattachAsAProcessWithOnePostInTotal() {
        try (RockieTestServer rockie = RockieTestServer.start()) {
            Path dir = FIXTURE.newDir();
            Map<String, String> env = RockieFixture.env(rockie, dir);
            Path sheet = FIXTURE.approvedSheet(dir);
            rockie.acceptSubmit("rj_again", 1).jobStates("rj_again", finished("DONE", "JOB_DONE", 9, null))
                    .artifacts("rj_again", files("metrics.json", "{\"acc\": 1}"));

            Day0Process first = day0(dir, env, submit(dir, sheet));
            Day0Process second = day0(dir, env, submit(dir, sheet));

            assertThat(first.exitCode()).isEqualTo(0);
            assertThat(second.exitCode()).isEqualTo(0);
            assertThat(second.out()).contains("\"event\":\"reattached\"");
            assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        }
    }

    private static Process start(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Day0Process.jar().toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ROCKIELAB_"));
        builder.environment().putAll(env);
        builder.redirectOutput(dir.resolve("crashed.out").toFile()).redirectError(dir.resolve("crashed.err").toFile());
        return builder.start();
    }
}
