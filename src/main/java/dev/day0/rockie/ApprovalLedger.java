package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which approved term sheets have been used: the local guard of "one approval, one submission". One file per
 * approval, named by its {@code quote_sha256} and created exclusively, so a second submission with the same
 * approval (another state file, another script, another run id) is refused even when the first one's state file
 * is gone. A re-run of the same submission (same run id, recorded in its state file) is not a second use.
 *
 * <p>The guard only sees the submissions recorded in its directory: Jenkins agents that may submit the same
 * approval must share it ({@code DAY0_ROCKIE_LEDGER_DIR} on shared storage). Beyond it, the {@code Idempotency-Key}
 * derived from the approval lets the platform deduplicate. A directory that cannot be written is refused before
 * anything is sent, since a claim that cannot be recorded guards nothing.
 *
 * <p>Default directory: {@code $DAY0_ROCKIE_LEDGER_DIR}, else {@code $HOME/.day0/rockie-ledger}.
 */
public final class ApprovalLedger {
    public static final String ENV = "DAY0_ROCKIE_LEDGER_DIR";
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    public ApprovalLedger(Path dir) {
        this.dir = dir;
    }

    public static Path defaultDir(Map<String, String> env) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        return Path.of(home, ".day0", "rockie-ledger");
    }

    public Path dir() {
        return dir;
    }

    /** The use recorded for this approval, or null when it is unused. */
    public JsonNode use(String quoteSha256) {
        Path entry = entry(quoteSha256);
        if (!Files.exists(entry)) {
            return null;
        }
        try {
            String text = Files.readString(entry, StandardCharsets.UTF_8);
            return text.isBlank() ? Json.object() : Json.parse(text, entry.toString());
        } catch (IOException | RuntimeException e) {
            // Present but unreadable still means "used": never treat a damaged record as a free approval.
            return Json.object().put("unreadable", entry.toString());
        }
    }

    /**
     * Refuses (exit 2) a directory where a claim cannot be recorded, before a submission starts: it is created
     * when missing and a probe file is written and removed.
     */
    public void requireWritable() {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw RockieException.usage("the approval ledger " + dir + " cannot be written (" + e.getClass()
                    .getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): a use that "
                    + "cannot be recorded guards nothing; set --ledger-dir or " + ENV + " to a writable directory "
                    + "that every agent submitting this approval shares");
        }
    }

    /**
     * Records that this approval is used by the submission {@code runId}. Refuses when it is already used by
     * another submission.
     */
    public void claim(String quoteSha256, String quoteId, String idempotencyKey, String runId, Path stateFile,
                      Redactor redactor) {
        JsonNode existing = use(quoteSha256);
        if (existing != null) {
            requireSameSubmission(existing, quoteSha256, runId);
            return;
        }
        ObjectNode record = Json.object();
        record.put("quote_sha256", quoteSha256);
        record.put("quote_id", quoteId);
        record.put("idempotency_key", idempotencyKey);
        record.put("run_id", runId);
        record.put("state_file", stateFile.toAbsolutePath().toString());
        record.put("claimed_at", SubmissionState.now());
        boolean created;
        try {
            created = new RedactingWriter(redactor).jsonOnce(entry(quoteSha256), record);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the approval's use in " + dir + ": " + e.getMessage(), e);
        }
        if (!created) {
            requireSameSubmission(use(quoteSha256), quoteSha256, runId);
        }
    }

    /** Refuses when the recorded use belongs to another submission. */
    public void requireUnusedOrSame(String quoteSha256, String runId) {
        JsonNode existing = use(quoteSha256);
        if (existing != null) {
            requireSameSubmission(existing, quoteSha256, runId);
        }
    }

    private static void requireSameSubmission(JsonNode existing, String quoteSha256, String runId) {
        if (runId != null && runId.equals(existing.path("run_id").asText(null))) {
            return;
        }
        throw RockieException.notApproved("SHEET_ALREADY_USED", "this approved term sheet (quote_sha256 "
                + quoteSha256 + ") was already used for a submission"
                + (existing.has("state_file") ? " with state file " + existing.path("state_file").asText() : "")
                + (existing.has("claimed_at") ? " at " + existing.path("claimed_at").asText() : "")
                + "; one approval covers one submission: re-run with that state file to re-attach, or quote and "
                + "approve again");
    }

    private Path entry(String quoteSha256) {
        if (!SHA.matcher(quoteSha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + quoteSha256);
        }
        return dir.resolve(quoteSha256 + ".json");
    }
}
