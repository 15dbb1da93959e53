package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ApprovalLedgerTest {
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldLetTheSameSubmissionClaimItsApprovalAgain() throws Exception {
        ApprovalLedger ledger = new ApprovalLedger(temp.getRoot().toPath().resolve("ledger"));

        ledger.claim(SHA, "qts_1", "key-a", "run-a", Path.of("state.json"), Redactor.patternsOnly());
        ledger.claim(SHA, "qts_1", "key-a", "run-a", Path.of("state.json"), Redactor.patternsOnly());
        ledger.requireUnusedOrSame(SHA, "run-a");

        assertThat(ledger.use(SHA).path("idempotency_key").asText()).isEqualTo("key-a");
        assertThat(Files.list(ledger.dir())).hasSize(1);
    }

    @Test
    public void shouldRefuseASecondSubmissionWithTheSameApproval() {
        ApprovalLedger ledger = new ApprovalLedger(temp.getRoot().toPath());
        ledger.claim(SHA, "qts_1", "key-a", "run-a", Path.of("state.json"), Redactor.patternsOnly());

        assertThatThrownBy(() -> ledger.claim(SHA, "qts_1", "key-a", "run-b", Path.of("other.json"),
                Redactor.patternsOnly()))
                .isInstanceOfSatisfying(RockieException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(RockieExit.NOT_APPROVED.code());
                    assertThat(e.reason()).isEqualTo("SHEET_ALREADY_USED");
                    assertThat(e.getMessage()).contains("state.json");
                });
        assertThatThrownBy(() -> ledger.requireUnusedOrSame(SHA, "run-b")).isInstanceOf(RockieException.class);
    }

    @Test
    public void shouldTreatADamagedRecordAsUsed() throws Exception {
        Path dir = temp.getRoot().toPath();
        Files.writeString(dir.resolve(SHA + ".json"), "{broken");
        ApprovalLedger ledger = new ApprovalLedger(dir);

        assertThatThrownBy(() -> ledger.requireUnusedOrSame(SHA, "run-a")).isInstanceOf(RockieException.class);
    }

    @Test
    public void shouldFindItsDirectoryInTheEnvironmentOrUnderHome() {
        assertThat(ApprovalLedger.defaultDir(Map.of(ApprovalLedger.ENV, "/var/ledger", "HOME", "/home/x")))
                .isEqualTo(Path.of("/var/ledger"));
        assertThat(ApprovalLedger.defaultDir(Map.of("HOME", "/home/x")))
                .isEqualTo(Path.of("/home/x/.day0/rockie-ledger"));
    }
}
