package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * Approving a pending term sheet: a named person accepts the estimate and sets the budget. The result carries
 * {@code decision.quote_sha256}, so any later change to the quote voids the approval, and
 * {@code decision.approval_hmac}, the HMAC-SHA256 of the canonical sheet (quote, approver, time, decision) under the
 * {@link ApprovalKey}: whoever can edit the file but does not hold the key cannot recompute it, so an edited sheet
 * with a recomputed {@code quote_sha256} is still refused.
 */
public final class Approval {
    static final Pattern APPROVER = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._@+'-]{0,199}");

    private Approval() {
    }

    /** The decision field that holds the signature; its name keeps it out of the redactor's secret-field rule. */
    public static final String HMAC_FIELD = "approval_hmac";
    /** The decision field naming the one plan and stage a job sheet of a release candidate's approval covers. */
    public static final String COVERS_FIELD = "covers";
    static final String SIGNATURE_MISMATCH = "approval signature does not match: the sheet was changed after "
            + "approval";
    private static final String MATERIAL_PREFIX = "day0-rockie-approval/v1\n";

    public static ObjectNode approve(TermSheet sheet, String approver, Long budgetCents, Instant now,
                                     ApprovalKey key) {
        return approve(sheet, approver, budgetCents, now, key, null);
    }

    /**
     * As {@link #approve(TermSheet, String, Long, Instant, ApprovalKey)}, with {@code decision.covers} (the plan and
     * stage this approval is for, when it is one job of a release candidate's sheet) inside what is signed, so the
     * sheet cannot be moved to another plan's or stage's job without voiding it.
     */
    public static ObjectNode approve(TermSheet sheet, String approver, Long budgetCents, Instant now,
                                     ApprovalKey key, ObjectNode covers) {
        if (approver == null || !APPROVER.matcher(approver.trim()).matches()) {
            throw RockieException.usage("--approver: give the id of the person approving (letters, digits, "
                    + "' ._@+-', up to 200 characters)");
        }
        long budget = approvableBudget(sheet, budgetCents);
        boolean modified = budgetCents != null && !budgetCents.equals(sheet.userBudgetCents());
        ObjectNode approved = sheet.json();
        approved.put("user_budget_cents", budget);
        approved.remove(TermSheet.DECISION);
        String sha = TermSheet.quoteSha256(approved);
        ObjectNode decision = approved.putObject(TermSheet.DECISION);
        decision.put("state", modified ? "modify_then_approve" : "approve");
        decision.put("approvable", true);
        decision.put("approved_for_submit", true);
        decision.put("approved_by", approver.trim());
        decision.put("approved_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        decision.put("quote_sha256", sha);
        if (covers != null) {
            decision.set(COVERS_FIELD, covers.deepCopy());
        }
        decision.put(HMAC_FIELD, key.sign(material(approved)));
        return approved;
    }

    /**
     * The budget an approval of {@code sheet} would carry ({@code budgetCents}, else the quote's own), after every
     * check approving makes of the quote itself: still pending, available, an estimate its stages add up to, and a
     * budget not below it. A preview runs these so nobody is asked to approve what the engine would then refuse.
     */
    public static long approvableBudget(TermSheet sheet, Long budgetCents) {
        if (sheet.approvedForSubmit() || !"pending".equals(sheet.decisionState())) {
            throw RockieException.notApproved("ALREADY_DECIDED", sheet.source() + ": decision.state is \""
                    + sheet.decisionState() + "\": a term sheet is approved once, for one submission; quote again");
        }
        if (!sheet.available() || !sheet.approvable()) {
            throw RockieException.notApproved("NOT_APPROVABLE", sheet.source() + ": the quote is not approvable "
                    + "(availability " + sheet.availability() + ")");
        }
        Long estimate = sheet.estimateCents();
        if (estimate == null || estimate <= 0) {
            throw budget(sheet.source() + ": estimate_cents is missing or not positive: nothing to approve");
        }
        if (sheet.stagesTotal() != estimate) {
            throw budget(sheet.source() + ": the stages add up to " + sheet.stagesTotal() + " cents, not the "
                    + "estimate of " + estimate);
        }
        Long budget = budgetCents != null ? budgetCents : sheet.userBudgetCents();
        if (budget == null) {
            throw budget(sheet.source() + ": user_budget_cents is missing; give --budget-cents");
        }
        if (budget < estimate) {
            throw budget("a budget of " + Money.format(budget) + " is below the estimate of "
                    + Money.format(estimate) + ": it cannot be approved");
        }
        return budget;
    }

    /**
     * Refuses a sheet whose approval was not signed with {@code key} or was changed after signing (exit 10).
     * Called before any network call.
     */
    public static void verify(TermSheet sheet, ApprovalKey key) {
        String recorded = sheet.approvalHmac();
        if (recorded == null || recorded.isBlank()) {
            throw RockieException.notApproved("SIGNATURE_MISMATCH", sheet.source() + ": approval signature does "
                    + "not match: the sheet carries no decision." + HMAC_FIELD + " (it was not approved by "
                    + "'day0 rockie approve', or the signature was removed); approve it again");
        }
        if (!key.signed(material(sheet.json()), recorded)) {
            throw RockieException.notApproved("SIGNATURE_MISMATCH", sheet.source() + ": " + SIGNATURE_MISMATCH
                    + " (or approved under another key than the " + key + "); quote and approve again");
        }
    }

    /** What is signed: the canonical sheet, decision block included, without the signature itself. */
    static String material(ObjectNode sheet) {
        ObjectNode copy = sheet.deepCopy();
        JsonNode decision = copy.get(TermSheet.DECISION);
        if (decision instanceof ObjectNode block) {
            block.remove(HMAC_FIELD);
        }
        return MATERIAL_PREFIX + TermSheet.canonical(copy);
    }

    private static RockieException budget(String message) {
        return new RockieException(RockieExit.BUDGET.code(), "BUDGET", message);
    }
}
