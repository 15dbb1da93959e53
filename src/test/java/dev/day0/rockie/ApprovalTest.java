package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.ApprovalKeys;
import java.time.Instant;
import org.junit.Test;

public class ApprovalTest {
    private static final ApprovalKey KEY = ApprovalKeys.key();
    private static final Instant NOW = Instant.parse("2026-06-05T12:34:56.789Z");

    private static TermSheet pending() {
        JobSpec spec = new JobSpec("lora_finetune", GpuType.A100_80GB, 1, "us", "spot", 60, null, null);
        ObjectNode sheet = Quotes.termSheet(spec, Pricing.fromMarket(Json.read(RockieFixture.MARKET_AVAILABLE),
                "m", spec, "market"), NOW);
        return TermSheet.of(sheet, "quote.json");
    }

    private static int exitCodeOf(Runnable action) {
        try {
            action.run();
            return -1;
        } catch (RockieException e) {
            return e.exitCode();
        }
    }

    @Test
    public void shouldApproveForOneSubmissionWithWhoWhenAndTheQuoteHash() {
        ObjectNode approved = Approval.approve(pending(), "alice@example.com", null, NOW, KEY);

        assertThat(approved.path("decision").path("state").asText()).isEqualTo("approve");
        assertThat(approved.path("decision").path("approved_for_submit").asBoolean()).isTrue();
        assertThat(approved.path("decision").path("approved_by").asText()).isEqualTo("alice@example.com");
        assertThat(approved.path("decision").path("approved_at").asText()).isEqualTo("2026-06-05T12:34:56Z");
        assertThat(approved.path("decision").path("quote_sha256").asText())
                .isEqualTo(TermSheet.quoteSha256(approved));
        assertThat(approved.path("user_budget_cents").asLong()).isEqualTo(27000);
    }

    @Test
    public void shouldRecordAChangedBudgetAsModifyThenApprove() {
        ObjectNode approved = Approval.approve(pending(), "alice", 20000L, NOW, KEY);

        assertThat(approved.path("decision").path("state").asText()).isEqualTo("modify_then_approve");
        assertThat(approved.path("user_budget_cents").asLong()).isEqualTo(20000);
        assertThat(TermSheet.of(approved, "a").computeSha256())
                .isEqualTo(approved.path("decision").path("quote_sha256").asText());
    }

    @Test
    public void shouldAcceptABudgetEqualToTheEstimateAndNothingBelow() {
        assertThat(Approval.approve(pending(), "alice", 18000L, NOW, KEY).path("user_budget_cents").asLong())
                .isEqualTo(18000);
        assertThat(exitCodeOf(() -> Approval.approve(pending(), "alice", 17999L, NOW, KEY)))
                .isEqualTo(RockieExit.BUDGET.code());
    }

    @Test
    public void shouldNotApproveTwice() {
        TermSheet approved = TermSheet.of(Approval.approve(pending(), "alice", null, NOW, KEY), "approved.json");

        assertThatThrownBy(() -> Approval.approve(approved, "bob", null, NOW, KEY))
                .isInstanceOfSatisfying(RockieException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
                    assertThat(e.reason()).isEqualTo("ALREADY_DECIDED");
                });
    }

    @Test
    public void shouldNotApproveAnUnavailableQuote() {
        JobSpec spec = new JobSpec("x", GpuType.B200, 8, "us", "spot", 60, null, null);
        TermSheet unavailable = TermSheet.of(Quotes.termSheet(spec, Pricing.fromMarket(
                Json.read(RockieFixture.MARKET_AVAILABLE), "m", spec, "market"), NOW), "q");

        assertThat(exitCodeOf(() -> Approval.approve(unavailable, "alice", null, NOW, KEY)))
                .isEqualTo(RockieExit.NOT_APPROVED.code());
    }

    @Test
    public void shouldRequireAnApproverId() {
        assertThat(exitCodeOf(() -> Approval.approve(pending(), " ", null, NOW, KEY))).isEqualTo(RockieExit.USAGE.code());
        assertThat(exitCodeOf(() -> Approval.approve(pending(), "a\nb", null, NOW, KEY)))
                .isEqualTo(RockieExit.USAGE.code());
    }

    @Test
    public void shouldSignTheApprovalSoThatAChangedApproverOrTimeNoLongerVerifies() {
        ObjectNode approved = Approval.approve(pending(), "alice", null, NOW, KEY);
        Approval.verify(TermSheet.of(approved, "approved.json"), KEY);

        ObjectNode otherTime = approved.deepCopy();
        ((ObjectNode) otherTime.get("decision")).put("approved_at", "2030-01-01T00:00:00Z");

        assertThatThrownBy(() -> Approval.verify(TermSheet.of(otherTime, "approved.json"), KEY))
                .isInstanceOfSatisfying(RockieException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
                    assertThat(e.reason()).isEqualTo("SIGNATURE_MISMATCH");
                    assertThat(e.getMessage()).contains("approved.json: approval signature does not match: the sheet "
                            + "was changed after approval");
                });
    }
}
