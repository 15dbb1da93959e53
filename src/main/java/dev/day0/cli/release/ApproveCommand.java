package dev.day0.cli.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Console;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.ExitCodeFamily;
import dev.day0.io.InputException;
import dev.day0.release.ladder.CandidateApproval;
import dev.day0.release.ladder.LadderPlan;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.Money;
import dev.day0.rockie.Render;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.RockieExit;
import dev.day0.rockie.TermSheet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 release approve}: one signed sheet approving every Rockie job of one ladder candidate. */
@Command(name = "approve", mixinStandardHelpOptions = true,
        description = {"Approve all the GPU jobs of one recipe-ladder candidate at once: reads the quote "
                + "(term_sheet) of each of its rockie stages, shows them, and writes one sheet listing each job "
                + "with its approved quote, signed once with the approval key. Give it to release run or step "
                + "as --approve CANDIDATE=FILE. Each job is still submitted at most once; stages not listed need "
                + "their own approval."},
        footer = {"", "Exit codes: 0 written, 2 the plan, candidate or an option could not be used, 9 a quote is "
                + "missing, 10 a quote is not approvable or already decided, 11 a quote's budget is below its "
                + "estimate. See docs/release.md, \"Recipe ladder\"."})
@ExitCodeFamily(value = RockieExit.class, codes = {0, 2, 9, 10, 11})
final class ApproveCommand extends EngineCommand {
    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "The ladder plan (YAML).")
    Path planFile;

    @Option(names = "--candidate", required = true, paramLabel = "NAME", description = "The candidate to approve.")
    String candidateName;

    @Option(names = "--approver", paramLabel = "ID", description = "Who approves (recorded). Required unless "
            + "--preview.")
    String approver;

    @Option(names = "--preview", description = "Check each quote as approving would and print the jobs, their "
            + "budgets and rendered sheets as JSON (schema day0.release-candidate-preview/1), without signing "
            + "anything or needing the key: what a person is shown before approving.")
    boolean preview;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "The ladder's work directory, where term_sheet paths with {workdir} point (default: "
                    + "day0-work/<plan name>).")
    Path workdir;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the approval here (else stdout).")
    Path out;

    @Override
    public Integer call() {
        // The options are checked before the plan is read: their error does not depend on it.
        if (preview && approver != null) {
            throw new InputException("--approver", "", "is not taken with --preview: a preview approves nothing");
        }
        if (!preview && approver == null) {
            throw new InputException("--approver", "", "is missing: give the id of the person approving "
                    + "(or --preview to see the jobs first)");
        }
        if (!LadderPlan.declares(planFile)) {
            throw new InputException(planFile.toString(), "candidates", "is missing: only a recipe ladder's "
                    + "candidate is approved as a whole; approve a plain plan's stages with day0 rockie approve");
        }
        LadderPlan plan = LadderPlan.load(planFile);
        LadderPlan.Candidate candidate = plan.candidates().stream().filter(c -> c.name().equals(candidateName))
                .findFirst().orElseThrow(() -> new InputException("--candidate", "", "no candidate named \""
                        + candidateName + "\" (candidates: " + String.join(", ", plan.candidates().stream()
                        .map(LadderPlan.Candidate::name).toList()) + ")"));
        Path dir = (workdir != null ? workdir : Path.of("day0-work", plan.name())).toAbsolutePath().normalize();
        Map<String, Path> quotes = CandidateApproval.quotes(plan, candidate, dir);
        try {
            if (preview) {
                ObjectNode shown = CandidateApproval.preview(plan, candidate, quotes, console().redactor());
                console().document(shown, out);
                console().rawErr().println("day0 release approve --preview: candidate " + candidate.name() + ": "
                        + shown.path("jobs").size() + " job(s) (" + String.join(", ", quotes.keySet()) + "), "
                        + Money.format(shown.path("total_budget_cents").asLong()) + " in all; nothing signed");
                console().rawErr().flush();
                return RockieExit.DONE.code();
            }
            for (Map.Entry<String, Path> quote : quotes.entrySet()) {
                console().rawErr().println("Stage " + quote.getKey() + " of candidate " + candidate.name() + " ("
                        + quote.getValue() + "):");
                Render.text(TermSheet.read(quote.getValue(), console().redactor())).lines()
                        .forEach(line -> console().rawErr().println("  " + line));
            }
            ObjectNode approved = CandidateApproval.approve(plan, candidate, quotes, approver, Instant.now(),
                    ApprovalKey.forApproving(env()), console().redactor());
            console().document(approved, out);
            console().rawErr().println("day0 release approve: candidate " + candidate.name() + " approved by "
                    + approved.path(TermSheet.DECISION).path("approved_by").asText() + ": "
                    + approved.path("jobs").size() + " job(s) (" + String.join(", ", quotes.keySet()) + "), "
                    + Money.format(approved.path("total_budget_cents").asLong()) + " in all, each job once"
                    + (out == null ? "" : "; written to " + out));
            console().rawErr().flush();
            return RockieExit.DONE.code();
        } catch (RockieException e) {
            console().rawErr().println(console().redactor().redact("day0 release approve: refused (" + e.reason()
                    + "): " + Console.oneLine(e.getMessage())));
            console().rawErr().flush();
            return e.exitCode();
        }
    }
}
