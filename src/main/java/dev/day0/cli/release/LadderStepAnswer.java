package dev.day0.cli.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.release.ReleaseExit;
import dev.day0.release.StepReport;
import dev.day0.release.StepResult;
import dev.day0.release.ladder.LadderPlan;
import dev.day0.release.ladder.LadderStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON answer of {@code release step} on a recipe ladder: the same fields as a plain plan's answer
 * (docs/release.md, "One stage at a time"), with {@code candidate} ({@code index, name, recipe}) on {@code ran} and
 * {@code next}, {@code next.approve_as} ({@code CANDIDATE:STAGE}, what {@code --approve} takes), {@code state} the
 * ladder's {@code ladder.json}, and once done the ladder's decision (its {@code chosen} names the recipe).
 */
final class LadderStepAnswer {
    private LadderStepAnswer() {
    }

    static ObjectNode of(LadderPlan plan, Path planFile, Path workdir, LadderStep.Report report) {
        ObjectNode answer = Json.object();
        answer.put("plan", plan.name());
        answer.put("ladder", true);
        answer.put("workdir", workdir.toString());
        answer.put("state", workdir.resolve("ladder.json").toString());
        answer.put("done", report.done());
        StepReport ran = report.ran();
        if (ran == null || ran.ran() == null) {
            answer.putNull("ran");
        } else {
            ObjectNode ranJson = ReleaseCommand.stageJson(answer.putObject("ran"), ran.ran());
            candidate(ranJson, report.ranCandidate());
            StepResult result = ran.result();
            if (result != null) {
                ranJson.put("pass", result.pass());
                ranJson.put("failure_class", result.failureClass() == null ? null : result.failureClass().name());
                ranJson.put("detail", result.detail());
            } else if (ran.done()) {
                ranJson.put("pass", ran.outcome().decision() == dev.day0.core.Decision.ACCEPT);
                ranJson.put("failure_class", ran.outcome().summary().path("failure_class").asText(null));
                ranJson.put("detail", ran.outcome().decision() + ": " + ran.outcome().summary().path("detail")
                        .asText());
            }
        }
        ObjectNode next = answer.putObject("next");
        List<String> again = new ArrayList<>(List.of("release", "step", "--plan", planFile.toString(),
                "--workdir", workdir.toString()));
        if (report.done()) {
            return ReleaseCommand.doneAnswer(answer, next, report.outcome());
        }
        StepReport upcoming = report.next();
        ReleaseCommand.stageJson(next, upcoming.next());
        candidate(next, report.nextCandidate());
        if (report.nextCandidate() != null) {
            next.put("approve_as", report.nextCandidate().name() + ":" + upcoming.next().key());
        }
        if (upcoming.termSheet() != null) {
            Path approved = report.nextCandidate().workdir(workdir).resolve("rockie").resolve(upcoming.next().key())
                    .resolve(ReleaseCommand.GIVEN_APPROVAL);
            next.put("action", "approve");
            next.put("term_sheet", upcoming.termSheet().toString());
            next.put("term_sheet_text", upcoming.termSheetText());
            next.put("approved_sheet", approved.toString());
            again.add("--approve");
            again.add(next.path("approve_as").asText() + "=" + approved);
            answer.put("exit_code", ReleaseExit.AWAITING_APPROVAL.code());
        } else {
            next.put("action", "run");
            answer.put("exit_code", ReleaseExit.CONTINUE.code());
        }
        var command = next.putArray("command");
        again.forEach(command::add);
        answer.set("exit", (upcoming.termSheet() != null ? ReleaseExit.AWAITING_APPROVAL : ReleaseExit.CONTINUE)
                .toJson());
        return answer;
    }

    private static void candidate(ObjectNode json, LadderPlan.Candidate candidate) {
        if (candidate == null) {
            json.putNull("candidate");
            return;
        }
        ObjectNode node = json.putObject("candidate");
        node.put("index", candidate.index());
        node.put("name", candidate.name());
        node.put("recipe", candidate.recipe());
    }
}
