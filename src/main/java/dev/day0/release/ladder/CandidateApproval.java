package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import dev.day0.release.ReleasePlan;
import dev.day0.rockie.Approval;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.Render;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.TermSheet;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One approval for a whole ladder candidate: a sheet listing each of its Rockie jobs with that job's quote, signed
 * once by the approver. Each listed job is an ordinary approved term sheet whose {@code decision.covers} names the
 * candidate's plan and the stage, so it runs through the same submit path, checks and ledger as a sheet given on
 * its own: each job is submitted at most once, a second ladder run finds its quotes used, and a job sheet moved to
 * another stage or candidate is refused. The outer signature covers the list itself: a job added, removed or edited
 * after signing voids the whole sheet. Stages not listed are not covered and need their own approval.
 */
public final class CandidateApproval {
    static final String SCHEMA = "day0.release-candidate-approval/1";
    static final String PREVIEW_SCHEMA = "day0.release-candidate-preview/1";
    private static final String MATERIAL_PREFIX = "day0-release-candidate-approval/v1\n";

    private CandidateApproval() {
    }

    /** The candidate's Rockie stages and the quote each would be approved from, in the plan's order. */
    public static Map<String, Path> quotes(LadderPlan plan, LadderPlan.Candidate candidate, Path ladderWorkdir) {
        ReleasePlan candidatePlan = plan.plan(candidate, null);
        Path dir = candidate.workdir(ladderWorkdir);
        Map<String, Path> quotes = new LinkedHashMap<>();
        for (ReleasePlan.StageSpec spec : candidatePlan.workingStages()) {
            if (spec.runner() != ReleasePlan.Runner.ROCKIE) {
                continue;
            }
            if (spec.rockie().termSheet() == null) {
                throw new InputException(plan.file().toString(), "candidates[" + candidate.index() + "] ("
                        + candidate.name() + "): stages." + spec.key() + ".term_sheet", "is not set: a candidate's "
                        + "sheet lists each job with its quote; set it (day0 rockie quote)");
            }
            quotes.put(spec.key(), spec.rockie().termSheet().resolve(candidatePlan.dir(), dir,
                    dir.resolve("stages").resolve(spec.key())));
        }
        if (quotes.isEmpty()) {
            throw new InputException(plan.file().toString(), "candidates[" + candidate.index() + "] ("
                    + candidate.name() + ")", "has no rockie stage: nothing to approve");
        }
        return quotes;
    }

    /**
     * What {@link #approve} would approve, unsigned and without a key: each job's quote, budget and rendered sheet,
     * and the total, after the same checks of each quote. It is what a person is shown before approving the whole
     * candidate (the Jenkins step asks once with it), so an approval the engine would refuse is never asked for.
     */
    public static ObjectNode preview(LadderPlan plan, LadderPlan.Candidate candidate, Map<String, Path> quotes,
                                     Redactor redactor) {
        ObjectNode doc = header(PREVIEW_SCHEMA, plan, candidate);
        ArrayNode jobs = doc.putArray("jobs");
        Set<String> shas = new HashSet<>();
        long total = 0;
        for (Map.Entry<String, Path> quote : quotes.entrySet()) {
            TermSheet sheet = TermSheet.read(quote.getValue(), redactor);
            long budget = Approval.approvableBudget(sheet, null);
            if (!shas.add(sheet.computeSha256())) {
                throw new InputException(quote.getValue().toString(), "", "is the quote of another job of "
                        + candidate.name() + " too: one approved quote covers one submission; quote each job");
            }
            total = addBudget(total, budget, quote.getValue());
            ObjectNode job = jobs.addObject();
            job.put("stage", quote.getKey());
            job.put("quote_id", sheet.quoteId());
            job.put("term_sheet", quote.getValue().toString());
            job.put("gpu_type", sheet.gpuType());
            job.put("gpu_count", sheet.gpuCount());
            job.put("region", sheet.region());
            job.put("tier", sheet.tier());
            job.put("wallclock_minutes", sheet.wallclockMinutes());
            job.put("estimate_cents", sheet.estimateCents());
            job.put("budget_cents", budget);
            job.put("text", Render.text(sheet));
        }
        doc.put("total_budget_cents", total);
        return doc;
    }

    /** Approves every listed quote for this candidate and signs the list once. */
    public static ObjectNode approve(LadderPlan plan, LadderPlan.Candidate candidate, Map<String, Path> quotes,
                                     String approver, Instant now, ApprovalKey key, Redactor redactor) {
        String planName = plan.name() + "-" + candidate.name();
        ObjectNode doc = header(SCHEMA, plan, candidate);
        ArrayNode jobs = doc.putArray("jobs");
        Set<String> shas = new HashSet<>();
        long total = 0;
        for (Map.Entry<String, Path> quote : quotes.entrySet()) {
            ObjectNode covers = Json.object();
            covers.put("plan", planName);
            covers.put("stage", quote.getKey());
            ObjectNode approved = Approval.approve(TermSheet.read(quote.getValue(), redactor), approver, null, now,
                    key, covers);
            TermSheet sheet = TermSheet.of(approved, quote.getValue().toString());
            if (!shas.add(sheet.recordedSha256())) {
                throw new InputException(quote.getValue().toString(), "", "is the quote of another job of "
                        + candidate.name() + " too: one approved quote covers one submission; quote each job");
            }
            total = addBudget(total, sheet.userBudgetCents(), quote.getValue());
            ObjectNode job = jobs.addObject();
            job.put("stage", quote.getKey());
            job.put("quote_id", sheet.quoteId());
            job.put("budget_cents", sheet.userBudgetCents());
            job.set("term_sheet", approved);
        }
        doc.put("total_budget_cents", total);
        ObjectNode decision = doc.putObject(TermSheet.DECISION);
        decision.put("state", "approve");
        decision.put("approved_by", approver.trim());
        decision.put("approved_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        decision.put(Approval.HMAC_FIELD, key.sign(material(doc)));
        return doc;
    }

    /**
     * Checks a candidate's sheet and writes each job's approved term sheet to {@code outDir/<stage>.json}, the
     * files the candidate's stages then adopt as if each had been given with {@code --approve}. Refuses (exit 2,
     * naming the file and the field) a sheet whose signature does not match, one for another ladder or candidate,
     * one listing a stage that is not a rockie stage of the candidate, a stage twice, or one quote twice.
     */
    static Map<String, Path> open(Path file, LadderPlan plan, LadderPlan.Candidate candidate, ApprovalKey key,
                                  Path outDir, Redactor redactor) {
        String source = file.toString();
        JsonNode read = Json.read(file);
        if (!(read instanceof ObjectNode doc) || !SCHEMA.equals(doc.path("schema").asText())) {
            throw new InputException(source, "schema", "is not " + SCHEMA + ": not a candidate's approval (write "
                    + "one with day0 release approve --candidate " + candidate.name() + ")");
        }
        String hmac = doc.path(TermSheet.DECISION).path(Approval.HMAC_FIELD).asText("");
        if (hmac.isEmpty() || !key.signed(material(doc), hmac)) {
            throw new InputException(source, "decision." + Approval.HMAC_FIELD, "approval signature does not match: "
                    + "the sheet was changed after approval (a job added, removed or edited) or signed under another "
                    + "key than the " + key + "; approve the candidate again");
        }
        String planName = plan.name() + "-" + candidate.name();
        if (!plan.name().equals(doc.path("ladder").asText()) || !candidate.name().equals(doc.path("candidate")
                .asText()) || !planName.equals(doc.path("plan").asText())) {
            throw new InputException(source, "candidate", "approves candidate " + doc.path("candidate").asText()
                    + " of ladder " + doc.path("ladder").asText() + ", not " + candidate.name() + " of "
                    + plan.name() + ": it covers no job here");
        }
        if (!candidate.recipe().equals(doc.path("recipe").asText())) {
            throw new InputException(source, "recipe", "approves recipe " + doc.path("recipe").asText()
                    + " but candidate " + candidate.name() + " now runs " + candidate.recipe() + ": approve again");
        }
        List<String> rockieStages = plan.plan(candidate, null).workingStages().stream()
                .filter(s -> s.runner() == ReleasePlan.Runner.ROCKIE).map(ReleasePlan.StageSpec::key).toList();
        Map<String, Path> sheets = new LinkedHashMap<>();
        Set<String> shas = new HashSet<>();
        JsonNode jobs = doc.path("jobs");
        if (!jobs.isArray() || jobs.isEmpty()) {
            throw new InputException(source, "jobs", "lists no job");
        }
        for (int i = 0; i < jobs.size(); i++) {
            String field = "jobs[" + i + "]";
            String stage = jobs.get(i).path("stage").asText();
            if (!rockieStages.contains(stage)) {
                throw new InputException(source, field + ".stage", "\"" + stage + "\" is not a rockie stage of "
                        + "candidate " + candidate.name() + " (rockie stages: " + String.join(", ", rockieStages)
                        + ")");
            }
            TermSheet sheet;
            try {
                sheet = TermSheet.of(jobs.get(i).path("term_sheet"), source + ": " + field + ".term_sheet");
                Approval.verify(sheet, key);
            } catch (RockieException e) {
                throw new InputException(source, field + ".term_sheet", e.getMessage());
            }
            JsonNode covers = sheet.json().path(TermSheet.DECISION).path(Approval.COVERS_FIELD);
            if (!planName.equals(covers.path("plan").asText()) || !stage.equals(covers.path("stage").asText())) {
                throw new InputException(source, field + ".term_sheet.decision.covers", "does not name stage "
                        + stage + " of plan " + planName);
            }
            if (!shas.add(sheet.recordedSha256())) {
                throw new InputException(source, field, "repeats the quote of another job: one approved quote "
                        + "covers one submission");
            }
            if (sheets.containsKey(stage)) {
                throw new InputException(source, field + ".stage", stage + " is listed twice");
            }
            Path out = outDir.resolve(stage + ".json");
            new RedactingWriter(redactor).text(out, Json.write(sheet.json()) + "\n");
            sheets.put(stage, out);
        }
        return sheets;
    }

    /** What a candidate's sheet and its preview begin with: which ladder, candidate, recipe and plan it is for. */
    private static ObjectNode header(String schema, LadderPlan plan, LadderPlan.Candidate candidate) {
        ObjectNode doc = Json.object();
        doc.put("schema", schema);
        doc.put("ladder", plan.name());
        doc.put("candidate", candidate.name());
        doc.put("recipe", candidate.recipe());
        doc.put("plan", plan.name() + "-" + candidate.name());
        return doc;
    }

    /** The candidate's total so far plus one job's budget; a sum past a long is refused, naming that quote. */
    private static long addBudget(long total, long budget, Path quote) {
        try {
            return Math.addExact(total, budget);
        } catch (ArithmeticException e) {
            throw new InputException(quote.toString(), "user_budget_cents", "takes the candidate's total budget past "
                    + "the largest number of cents a sheet can hold (" + Long.MAX_VALUE + "): nothing is approved");
        }
    }

    /** What is signed: the canonical sheet, decision included, without the signature itself. */
    private static String material(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        if (copy.get(TermSheet.DECISION) instanceof ObjectNode decision) {
            decision.remove(Approval.HMAC_FIELD);
        }
        return MATERIAL_PREFIX + TermSheet.canonical(copy);
    }
}
