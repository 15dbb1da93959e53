package dev.day0.cli.rockie;

import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.write;
import static dev.day0.rockie.RockieTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.rockie.RockieExit;
import dev.day0.rockie.RockieFixture;
import dev.day0.rockie.RockieTestServer;
import dev.day0.rockie.TermSheet;
import dev.day0.testing.ApprovalKeys;
import dev.day0.testing.CliRun;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;

/** {@code day0 rockie quote|render|approve} in-process. */
public class RockieCommandTest {
    /** The environment of an approval: the tests' approval key, nothing else. */
    private static final Map<String, String> KEYED = ApprovalKeys.with(Map.of());

    private static final RockieFixture FIXTURE = new RockieFixture();

    private RockieTestServer rockie;
    private Path dir;
    private Map<String, String> env;

    @Before
    public void setUp() {
        rockie = RockieTestServer.start();
        dir = FIXTURE.newDir();
        env = RockieFixture.env(rockie, dir);
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

    private CliRun quote(Map<String, String> environment, String... extra) {
        String[] base = {"rockie", "quote", "--job-spec", RockieFixture.spec(dir, "A100_80GB", 1, 60).toString(),
            "--retry-interval", "0.01", "--max-retries", "2"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return FIXTURE.run(environment, args);
    }

    @Test
    public void shouldQuoteFromTheMarketWithTheTenantHeaders() {
        rockie.market(read(RockieFixture.MARKET_AVAILABLE));

        CliRun run = quote(env);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode sheet = Json.parse(run.out(), "stdout");
        assertThat(sheet.path("estimate_cents").asLong()).isEqualTo(18000);
        assertThat(sheet.path("quote_source").asText()).isEqualTo("market");
        RockieTestServer.Recorded request = rockie.requests().get(0);
        assertThat(request.path()).isEqualTo("/api/gpu/market");
        assertThat(request.query()).isEqualTo("gpu_type=A100_80GB&gpu_count=1&duration_hours=1.00&region=us"
                + "&tier=spot");
        assertThat(request.header("X-Tenant-Token")).isEqualTo(RockieFixture.TOKEN);
        assertThat(request.header("X-Tenant-Id")).isEqualTo(RockieFixture.TENANT);
        assertThat(request.header("Accept")).isEqualTo("application/json");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("User-Agent")).startsWith("day0-rockie/");
    }

    @Test
    public void shouldFallBackToThePriceListWhenTheMarketRouteIsMissing() {
        rockie.prices(read(RockieFixture.REFERENCE.resolve("budget-term-sheet-fixtures/prices_fallback.json")));

        CliRun run = quote(env);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode sheet = Json.parse(run.out(), "stdout");
        assertThat(sheet.path("quote_source").asText()).isEqualTo("prices");
        assertThat(sheet.path("estimate_cents").asLong()).isEqualTo(2800);
        assertThat(sheet.path("confidence_bucket").asText()).isEqualTo("medium");
        assertThat(sheet.path("recommended_budget_cents").asLong()).isEqualTo(7800);
        assertThat(rockie.requests()).extracting(RockieTestServer.Recorded::path)
                .containsExactly("/api/gpu/market", "/api/gpu/prices");
    }

    @Test
    public void shouldRetryTheMarketThroughABurstOfErrors() {
        rockie.on("GET", "/api/gpu/market", json(503, "{}"), json(502, "{}"),
                json(200, read(RockieFixture.MARKET_AVAILABLE)));

        CliRun run = quote(env);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(rockie.count("GET", "/api/gpu/market")).isEqualTo(3);
    }

    @Test
    public void shouldAnswerCreditFailedAndOutOfStockQuotesAsTheHelperDoes() {
        String[][] cases = {{"402", "unavailable", "insufficient_credit"}, {"502", "quote_failed",
            "quote_source_failed"}, {"503", "quote_failed", "out_of_stock"}};
        for (String[] c : cases) {
            rockie.on("GET", "/api/gpu/market", json(Integer.parseInt(c[0]), "{\"detail\": \"x\"}"));

            CliRun run = quote(env);

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
            JsonNode sheet = Json.parse(run.out(), "stdout");
            assertThat(sheet.path("availability").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(sheet.path("status_code").asText()).as(c[0]).isEqualTo(c[2]);
            assertThat(sheet.path("estimate_cents").isNull()).isTrue();
            assertThat(sheet.path("decision").path("approvable").asBoolean()).isFalse();
        }
        assertThat(rockie.count("GET", "/api/gpu/prices")).isZero();
    }

    @Test
    public void shouldNotFallBackToPricesOnA404ThatIsTheMarketsAnswer() {
        rockie.on("GET", "/api/gpu/market", json(404, "{\"detail\": {\"code\": \"no_sku_fits\"}}"));

        CliRun run = quote(env);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(Json.parse(run.out(), "stdout").path("status_code").asText()).isEqualTo("no_sku_fits");
        assertThat(rockie.count("GET", "/api/gpu/prices")).isZero();
    }

    @Test
    public void shouldExitWithNetworkWhenThePlatformStaysDown() {
        rockie.on("GET", "/api/gpu/market", json(500, "{}"));

        CliRun run = quote(env);

        assertThat(run.exitCode()).isEqualTo(RockieExit.NETWORK.code());
        assertThat(rockie.count("GET", "/api/gpu/market")).isEqualTo(3);
    }

    @Test
    public void shouldExitWith5WhenThePlatformRefusesThePriceRequest() {
        rockie.on("GET", "/api/gpu/market", json(401, "{\"detail\": \"bad token\"}"));

        assertThat(quote(env).exitCode()).isEqualTo(RockieExit.SUBMIT_ERROR.code());
    }

    @Test
    public void shouldQuoteOfflineFromASavedMarketAnswer() {
        CliRun run = quote(Map.of(), "--market-json", RockieFixture.MARKET_AVAILABLE.toString());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(Json.parse(run.out(), "stdout").path("quote_source").asText()).isEqualTo("market_file");
        assertThat(run.err()).contains("estimate $180.00").contains("recommended budget $270.00");
    }

    @Test
    public void shouldNameTheFileAndFieldOfABadJobSpec() {
        Path spec = dir.resolve("bad.yaml");
        write(spec, "job_shape: x\ngpu_type: RTX4090\ngpu_count: 1\nregion: us\ntier: spot\nwallclock_minutes: 60\n");

        CliRun run = FIXTURE.run(Map.of(), "rockie", "quote", "--job-spec", spec.toString(), "--market-json",
                RockieFixture.MARKET_AVAILABLE.toString());

        assertThat(run.exitCode()).isEqualTo(RockieExit.USAGE.code());
        assertThat(run.err()).startsWith(spec + ": gpu_type: unknown GPU type \"RTX4090\"");
    }

    @Test
    public void shouldNeedThePlatformEnvironmentToQuoteOnline() {
        CliRun run = quote(Map.of());

        assertThat(run.exitCode()).isEqualTo(RockieExit.USAGE.code());
        assertThat(run.err()).contains("ROCKIELAB_API_URL is not set");
    }

    @Test
    public void shouldRenderWhatApprovingMeans() {
        Path sheet = FIXTURE.pendingSheet(dir);

        CliRun run = FIXTURE.run(Map.of(), "rockie", "render", "--term-sheet", sheet.toString());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("Job shape:    lora_finetune")
                .contains("Compute:      1 x A100_80GB, region us, tier spot")
                .contains("Wall-clock:   60 min; submit with --timeout between 3541 and 3600 s")
                .contains("Estimate:     $180.00").contains("Budget:       $270.00")
                .contains("train_or_run            $135.00   75.0 %").contains("total                   $180.00")
                .contains("Decision:     pending (approvable)").contains("exactly one 'day0 rockie submit'");
    }

    @Test
    public void shouldRefuseToRenderWithoutATermSheet() {
        CliRun run = FIXTURE.run(Map.of(), "rockie", "render", "--term-sheet", dir.resolve("no.json").toString());

        assertThat(run.exitCode()).isEqualTo(RockieExit.NO_TERM_SHEET.code());
    }

    @Test
    public void shouldPrintTheApprovedSheet() {
        Path sheet = FIXTURE.pendingSheet(dir);

        CliRun run = FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", sheet.toString(), "--approver",
                "alice", "--budget-cents", "30000");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode approved = Json.parse(run.out(), "stdout");
        assertThat(approved.path("decision").path("state").asText()).isEqualTo("modify_then_approve");
        assertThat(approved.path("user_budget_cents").asLong()).isEqualTo(30000);
        assertThat(TermSheet.of(approved, "stdout").computeSha256())
                .isEqualTo(approved.path("decision").path("quote_sha256").asText());
    }

    @Test
    public void shouldRefuseApprovalsTheRulesForbid() {
        Path sheet = FIXTURE.pendingSheet(dir);
        Path approved = FIXTURE.approvedSheet(dir);

        assertThat(FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", sheet.toString(), "--approver", "a",
                "--budget-cents", "17999").exitCode()).isEqualTo(RockieExit.BUDGET.code());
        assertThat(FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", approved.toString(), "--approver",
                "b").exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", dir.resolve("x.json").toString(),
                "--approver", "b").exitCode()).isEqualTo(RockieExit.NO_TERM_SHEET.code());
        assertThat(FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", sheet.toString()).exitCode())
                .isEqualTo(RockieExit.USAGE.code());
    }

    @Test
    public void shouldApproveTheRedactedQuoteSoItsHashHoldsAtSubmit() {
        Path pending = FIXTURE.pendingSheet(dir);
        ObjectNode json = (ObjectNode) read(pending);
        json.put("status_reason", "capacity from https://ops:Adm1nPa55word@capacity.example.com/pool");
        write(pending, Json.write(json));
        Path approved = dir.resolve("approved.json");

        CliRun run = FIXTURE.run(KEYED, "rockie", "approve", "--term-sheet", pending.toString(), "--approver",
                "alice", "--out", approved.toString());
        write(pending, "{}");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(read(approved).path("status_reason").asText()).contains("[REDACTED]");
        TermSheet sheet = TermSheet.of(read(approved), "approved");
        assertThat(sheet.computeSha256()).isEqualTo(sheet.recordedSha256());
    }
}
