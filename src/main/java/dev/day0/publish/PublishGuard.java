package dev.day0.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.core.Decision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a checkpoint directory may be published on the strength of a decision record: only when the decision is
 * ACCEPT on accuracy and verbosity, and the directory is byte-for-byte (as far as loading goes) the checkpoint
 * that was evaluated. Every reason to refuse is collected, so one run names all of them.
 */
public final class PublishGuard {
    /** The field of decision.json holding the evaluated checkpoint's fingerprint. */
    public static final String FINGERPRINT_FIELD = "checkpoint_fingerprint";

    /** The answer: allowed when {@link #reasons()} is empty. */
    public record Verdict(String decision, List<String> reasons, String evaluatedDigest, String checkpointDigest) {
        public boolean allowed() {
            return reasons.isEmpty();
        }
    }

    private PublishGuard() {
    }

    /**
     * @param decisionRecord decision.json as written by the gates or the conductor
     * @param decisionSource its file name, for messages
     * @param fingerprintFile a separately recorded fingerprint ({@code --fingerprint}), or null
     * @param fingerprintSource its file name, or null
     * @param checkpoint the directory about to be published
     * @param accuracyOnly true when the caller deliberately publishes without a verbosity verdict
     */
    public static Verdict check(JsonNode decisionRecord, String decisionSource, JsonNode fingerprintFile,
                                String fingerprintSource, Path checkpoint, boolean accuracyOnly) {
        if (decisionRecord == null || !decisionRecord.isObject()) {
            throw new InputException(decisionSource, "", "must be a decision record (a JSON object)");
        }
        JsonNode decisionField = decisionRecord.path("decision");
        if (!decisionField.isTextual()) {
            throw new InputException(decisionSource, "decision", "must be one of ACCEPT, REGRESSION, ANOMALOUS, "
                    + "INFEASIBLE, NEEDS_HUMAN, SYSTEMIC; got " + decisionField);
        }
        String decision = decisionField.asText();
        List<String> reasons = new ArrayList<>();
        if (!Decision.ACCEPT.name().equals(decision)) {
            JsonNode failureClass = decisionRecord.path("failure_class");
            reasons.add("the decision is " + decision + (failureClass.isTextual() ? " (" + failureClass.asText()
                    + ")" : "") + ", not ACCEPT");
        }
        boolean verbosityJudged = false;
        for (JsonNode gate : decisionRecord.path("gates")) {
            String name = gate.path("stage").asText(gate.path("gate").asText("?"));
            if ("verbosity".equals(gate.path("gate").asText())) {
                verbosityJudged = true;
            }
            if (!gate.path("result").path("pass").asBoolean(false)) {
                reasons.add("gate " + name + " did not pass: " + gate.path("result").path("detail").asText(""));
            }
        }
        if (!verbosityJudged && !accuracyOnly) {
            reasons.add("the decision has no verbosity gate: ACCEPT on accuracy alone does not publish "
                    + "(run 'day0 gate verbosity' into the record, or pass --accuracy-only deliberately)");
        }
        if (checkpoint.getFileName() != null
                && checkpoint.getFileName().toString().startsWith(Rejection.PREFIX)) {
            reasons.add(checkpoint + " is marked " + Rejection.PREFIX + "*: a rejected export is never published");
        }
        CheckpointFingerprint evaluated = evaluated(decisionRecord, decisionSource, fingerprintFile,
                fingerprintSource, reasons);
        CheckpointFingerprint actual = CheckpointFingerprint.of(checkpoint);
        for (String difference : actual.differencesFrom(evaluated)) {
            reasons.add("not the evaluated checkpoint: " + difference);
        }
        return new Verdict(decision, List.copyOf(reasons), evaluated.digest(), actual.digest());
    }

    private static CheckpointFingerprint evaluated(JsonNode decisionRecord, String decisionSource,
                                                   JsonNode fingerprintFile, String fingerprintSource,
                                                   List<String> reasons) {
        JsonNode recorded = decisionRecord.get(FINGERPRINT_FIELD);
        CheckpointFingerprint fromRecord = recorded == null || recorded.isNull() ? null
                : CheckpointFingerprint.fromJson(recorded, decisionSource, FINGERPRINT_FIELD);
        CheckpointFingerprint fromFile = fingerprintFile == null ? null
                : CheckpointFingerprint.fromJson(fingerprintFile, fingerprintSource, "");
        if (fromRecord == null && fromFile == null) {
            throw new InputException(decisionSource, FINGERPRINT_FIELD, "missing: the record does not say which "
                    + "checkpoint was evaluated; pass --fingerprint FILE recorded when it was");
        }
        if (fromRecord != null && fromFile != null && !fromRecord.equals(fromFile)) {
            reasons.add("the --fingerprint file " + fingerprintSource + " and " + decisionSource
                    + " name different evaluated checkpoints");
        }
        return fromRecord != null ? fromRecord : fromFile;
    }
}
