package dev.day0.rockie;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checks a submit passes before any network call. There is no option that skips them: a sheet that is not
 * approved, was changed after approval, does not match the requested shape, region, tier and wall-clock, or
 * carries a budget below its estimate stops the command here.
 */
public final class Preflight {
    static final Set<String> APPROVED_STATES = Set.of("approve", "modify_then_approve");

    private Preflight() {
    }

    public static void check(TermSheet sheet, SubmitRequest request) {
        String src = sheet.source();
        if (!sheet.available()) {
            throw RockieException.notApproved("NOT_AVAILABLE", src + ": availability is \"" + sheet.availability()
                    + "\": only an available quote can be submitted");
        }
        if (!sheet.approvedForSubmit() || !APPROVED_STATES.contains(sheet.decisionState())) {
            throw RockieException.notApproved("NOT_APPROVED", src + ": not approved for submit (decision.state \""
                    + sheet.decisionState() + "\", approved_for_submit " + sheet.approvedForSubmit()
                    + "); approve it with 'day0 rockie approve'");
        }
        if (blank(sheet.approvedBy()) || blank(sheet.approvedAt()) || blank(sheet.recordedSha256())) {
            throw RockieException.notApproved("NOT_APPROVED", src + ": the approval record is incomplete "
                    + "(decision.approved_by, approved_at and quote_sha256 are required): approve it with "
                    + "'day0 rockie approve'");
        }
        Long estimate = sheet.estimateCents();
        Long budget = sheet.userBudgetCents();
        if (estimate == null || estimate <= 0) {
            throw budget(src + ": estimate_cents is missing or not positive");
        }
        if (budget == null || budget < estimate) {
            throw budget(src + ": the budget (user_budget_cents " + budget + ") is below the estimate of "
                    + estimate + " cents");
        }
        if (sheet.stagesTotal() != estimate) {
            throw budget(src + ": the stages add up to " + sheet.stagesTotal() + " cents, not the estimate of "
                    + estimate);
        }
        String actual = sheet.computeSha256();
        if (!actual.equals(sheet.recordedSha256())) {
            throw RockieException.notApproved("SHEET_CHANGED", src + ": the quote changed after approval "
                    + "(quote_sha256 " + sheet.recordedSha256() + ", content hashes to " + actual + "); quote and "
                    + "approve again");
        }
        List<String> mismatches = new ArrayList<>();
        if (!sheet.gpuType().equals(request.gpuType().name())) {
            mismatches.add("--gpu-type " + request.gpuType() + " but the sheet has " + sheet.gpuType());
        }
        if (sheet.gpuCount() != request.gpuCount()) {
            mismatches.add("--gpu-count " + request.gpuCount() + " but the sheet has " + sheet.gpuCount());
        }
        if (!sheet.region().equals(request.region())) {
            mismatches.add("--region " + request.region() + " but the sheet has " + sheet.region());
        }
        if (!sheet.tier().equals(request.tier())) {
            mismatches.add("--tier " + request.tier() + " but the sheet has " + sheet.tier());
        }
        if (!mismatches.isEmpty()) {
            throw RockieException.notApproved("SHAPE_MISMATCH", src + ": the approved compute differs: "
                    + String.join("; ", mismatches));
        }
        long quoted = sheet.wallclockMinutes() * 60;
        if (!(request.timeoutSeconds() > quoted - 60 && request.timeoutSeconds() <= quoted)) {
            throw RockieException.notApproved("WALLCLOCK_MISMATCH", src + ": --timeout " + request.timeoutSeconds()
                    + " s does not match the approved wall-clock of " + sheet.wallclockMinutes() + " min: it must be "
                    + "more than " + (quoted - 60) + " and at most " + quoted + " s");
        }
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static RockieException budget(String message) {
        return new RockieException(RockieExit.BUDGET.code(), "BUDGET", message);
    }
}
