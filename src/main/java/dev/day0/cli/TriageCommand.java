package dev.day0.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.CommonExit;
import dev.day0.core.FailureClass;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.triage.TriageTable;
import dev.day0.triage.TriageVerdict;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 triage}: what to do after a gate failed, from the one triage table. */
@Command(name = "triage", mixinStandardHelpOptions = true,
        description = "Print the next action for a failure class after a failed attempt, and the decision when "
                + "no option is left.",
        footer = {"", "Output: {failure_class, attempt, action, retry, wait_seconds, decision}. decision is null "
                + "while the stage is retried automatically."})
@ExitCodeFamily(value = CommonExit.class, codes = {0, 2, 70})
public final class TriageCommand extends EngineCommand {
    @Option(names = "--failure-class", required = true, paramLabel = "CLASS",
            description = "A failure class from a gate's output, e.g. INFRA_TRANSIENT.")
    String failureClass;

    @Option(names = "--attempt", defaultValue = "1", paramLabel = "N",
            description = "Which attempt of the stage failed, from 1 (default: ${DEFAULT-VALUE}).")
    int attempt;

    @Override
    public Integer call() {
        FailureClass parsed = FailureClass.parse(failureClass).orElseThrow(() -> new InputException(
                "--failure-class", "", "unknown failure class \"" + failureClass + "\" (known: "
                + Arrays.stream(FailureClass.values()).map(Enum::name).collect(Collectors.joining(", ")) + ")"));
        if (attempt < 1) {
            throw new InputException("--attempt", "", "must be 1 or more, got " + attempt);
        }
        TriageVerdict verdict = TriageTable.after(parsed, attempt);
        ObjectNode json = Json.object();
        json.put("failure_class", parsed.name());
        json.put("attempt", attempt);
        json.put("action", verdict.rule().action());
        json.put("retry", verdict.retry());
        json.put("wait_seconds", verdict.retry() ? verdict.rule().waitSeconds() : 0);
        json.put("max_attempts", verdict.rule().maxAttempts());
        json.put("decision", verdict.decision() == null ? null : verdict.decision().name());
        return console().answer(json, CommonExit.OK, null);
    }
}
