package dev.day0.rockie;

import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.submit;
import static dev.day0.rockie.RockieFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.testing.ApprovalKeys;
import dev.day0.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;

/**
 * Regression tests of issue 12, findings 6 and 7: an approval cannot be re-signed by whoever can edit the file,
 * and one approval posts with one Idempotency-Key whatever state file or ledger it is submitted with.
 */
public class SignedApprovalTest {
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
    public static void shouldHaveLeakedNoSecretOrApprovalKeyInAnyOutputOrFile() {
        try {
            FIXTURE.assertNoSecretLeaked();
        } finally {
            FIXTURE.delete();
        }
    }

    /** The sheet with one change, its quote_sha256 recomputed the way docs/rockie.md describes. */
    private Path edited(String name, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode json = (ObjectNode) read(sheet);
        change.accept(json);
        ObjectNode quote = json.deepCopy();
        quote.remove("decision");
        String sha = FileDigest.sha256(TermSheet.canonical(quote).getBytes(StandardCharsets.UTF_8));
        ((ObjectNode) json.get("decision")).put("quote_sha256", sha);
        Path file = dir.resolve(name);
        write(file, Json.write(json));
        return file;
    }

    private CliRun submitRun(Map<String, String> environment, Path termSheet, String... extra) {
        return FIXTURE.run(environment, submit(dir, termSheet, extra));
    }

    @Test
    public void shouldRefuseASheetWhoseBudgetWasRaisedAndRehashedBeforeAnyRequest() {
        rockie.acceptSubmit("rj_1", 17500);
        Path raised = edited("raised.json", json -> json.put("user_budget_cents",
                json.path("user_budget_cents").longValue() * 10));

        CliRun run = submitRun(env, raised, "--no-wait");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(run.err()).contains("approval signature does not match: the sheet was changed after approval");
        assertThat(rockie.requests()).as("no request may reach the platform").isEmpty();
        assertThat(dir.resolve("state.json")).doesNotExist();
    }

    @Test
    public void shouldRefuseASheetWithoutASignatureOrSignedUnderAnotherKey() {
        rockie.acceptSubmit("rj_1", 17500);
        Path unsigned = edited("unsigned.json", json -> ((ObjectNode) json.get("decision"))
                .remove(Approval.HMAC_FIELD));
        Map<String, String> otherKey = new HashMap<>(env);
        otherKey.put(ApprovalKey.ENV, "another-key-of-somebody-else-0123456789abcdef");

        CliRun withoutSignature = submitRun(env, unsigned, "--no-wait");
        CliRun underAnotherKey = submitRun(otherKey, sheet, "--no-wait");

        assertThat(withoutSignature.exitCode()).as(withoutSignature.toString())
                .isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(withoutSignature.err()).contains("approval signature does not match");
        assertThat(underAnotherKey.exitCode()).as(underAnotherKey.toString()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(underAnotherKey.err()).contains("approval signature does not match");
        assertThat(rockie.requests()).isEmpty();
    }

    @Test
    public void shouldRefuseAnEditedApproverOrTimeThoughTheQuoteIsUnchanged() {
        rockie.acceptSubmit("rj_1", 17500);
        Path otherApprover = edited("approver.json", json -> ((ObjectNode) json.get("decision"))
                .put("approved_by", "mallory"));

        CliRun run = submitRun(env, otherApprover, "--no-wait");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(rockie.requests()).isEmpty();
    }

    @Test
    public void shouldSignWithAKeyFileCreatedOnFirstUseWithModeSixHundred() throws Exception {
        Path keyFile = dir.resolve("keys").resolve("approval.key");
        Map<String, String> shell = new HashMap<>(env);
        shell.remove(ApprovalKey.ENV);
        shell.put(ApprovalKey.FILE_ENV, keyFile.toString());
        Path signed = dir.resolve("signed-by-file.json");

        CliRun approve = FIXTURE.run(shell, "rockie", "approve", "--term-sheet", FIXTURE.pendingSheet(dir).toString(),
                "--approver", "bob", "--out", signed.toString());
        rockie.acceptSubmit("rj_7", 17500);
        CliRun submitted = submitRun(shell, signed, "--no-wait", "--state-file", dir.resolve("s.json").toString());

        assertThat(approve.exitCode()).as(approve.toString()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String key = Files.readString(keyFile).strip();
        assertThat(key).hasSize(64);
        assertThat(submitted.exitCode()).as(submitted.toString()).isZero();
        assertThat(approve.out() + approve.err() + submitted.out() + submitted.err()).doesNotContain(key);
        assertThat(Files.readString(signed)).doesNotContain(key);
    }

    @Test
    public void shouldRefuseAKeyFileThatGroupOrOthersMayRead() throws Exception {
        Path keyFile = dir.resolve("open.key");
        Files.writeString(keyFile, "0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> shell = new HashMap<>(env);
        shell.remove(ApprovalKey.ENV);
        shell.put(ApprovalKey.FILE_ENV, keyFile.toString());

        CliRun approve = FIXTURE.run(shell, "rockie", "approve", "--term-sheet", FIXTURE.pendingSheet(dir).toString(),
                "--approver", "bob");
        CliRun submitted = submitRun(shell, sheet, "--no-wait");
        Files.delete(keyFile);

        assertThat(approve.exitCode()).as(approve.toString()).isEqualTo(RockieExit.USAGE.code());
        assertThat(approve.err()).contains(keyFile.toString()).contains("chmod 600");
        assertThat(submitted.exitCode()).as(submitted.toString()).isEqualTo(RockieExit.USAGE.code());
        assertThat(rockie.requests()).isEmpty();
    }

    @Test
    public void shouldSendOneIdempotencyKeyForOneApprovalWhateverTheLedgerOrStateFile() {
        rockie.acceptSubmit("rj_1", 17500);
        Map<String, String> otherAgent = new HashMap<>(env);
        otherAgent.put(ApprovalLedger.ENV, dir.resolve("another-ledger").toString());

        CliRun first = submitRun(env, sheet, "--no-wait", "--state-file", dir.resolve("agent-1.json").toString());
        CliRun second = submitRun(otherAgent, sheet, "--no-wait", "--state-file",
                dir.resolve("agent-2.json").toString(), "--run-id", "another-run");
        CliRun third = submitRun(env, sheet, "--no-wait", "--state-file", dir.resolve("agent-3.json").toString(),
                "--ledger-dir", dir.resolve("third-ledger").toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(third.exitCode()).as(third.toString()).isZero();
        List<RockieTestServer.Recorded> posts = rockie.requests("POST", "/api/jobs/submit");
        assertThat(posts).hasSize(3);
        Set<String> keys = posts.stream().map(post -> post.header("Idempotency-Key")).collect(Collectors.toSet());
        assertThat(keys).as("the platform sees one key for one approval").hasSize(1);
        assertThat(keys.iterator().next()).isEqualTo(read(dir.resolve("agent-1.json")).path("idempotency_key")
                .asText());
    }

    @Test
    public void shouldStillRefuseASecondSubmissionOfOneApprovalInTheSameLedger() {
        rockie.acceptSubmit("rj_1", 17500);

        CliRun first = submitRun(env, sheet, "--no-wait", "--state-file", dir.resolve("a.json").toString());
        CliRun second = submitRun(env, sheet, "--no-wait", "--state-file", dir.resolve("b.json").toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(RockieExit.NOT_APPROVED.code());
        assertThat(second.err()).contains("already used");
        assertThat(rockie.requests("POST", "/api/jobs/submit")).hasSize(1);
    }

    @Test
    public void shouldRefuseALedgerDirectoryThatCannotBeWrittenBeforeAnyRequest() {
        rockie.acceptSubmit("rj_1", 17500);
        Path notADirectory = dir.resolve("ledger-is-a-file");
        write(notADirectory, "not a directory\n");

        CliRun run = submitRun(env, sheet, "--no-wait", "--ledger-dir", notADirectory.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(RockieExit.USAGE.code());
        assertThat(run.err()).contains(notADirectory.toString()).contains("cannot be written");
        assertThat(rockie.requests()).isEmpty();
        assertThat(dir.resolve("state.json")).doesNotExist();
    }

    @Test
    public void shouldKeepTheSignatureOutOfTheRequestBody() {
        rockie.acceptSubmit("rj_1", 17500);

        CliRun run = submitRun(env, sheet, "--no-wait");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode posted = rockie.requests("POST", "/api/jobs/submit").get(0).json();
        assertThat(posted.at("/budget_term_sheet/decision/quote_sha256").asText()).isNotEmpty();
        assertThat(posted.at("/budget_term_sheet/decision").has(Approval.HMAC_FIELD)).isFalse();
        assertThat(read(sheet).path("decision").path(Approval.HMAC_FIELD).asText()).hasSize(64);
    }
}
