package dev.day0.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.CommonExit;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.report.DecisionRecord;
import dev.day0.report.ReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code day0 report}: merges the results of the stages of one chain into one decision record, in chain order
 * (ptq, then each run gate, then compare, then verbosity). A record with a verbosity gate is one {@code day0 publish}
 * accepts without {@code --accuracy-only}, as the release chain's own record is.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Merge gate results into decision.json, report.md and junit.xml, and print the decision.",
        footer = {"", "Each gate result is a file written by 'day0 gate ... --out FILE'. A stage name may prefix "
                + "a run result: --run baseline-eval=run-baseline.json.",
            "Decisions: ACCEPT exits 0, any other decision exits 1."})
@ExitCodeFamily(CommonExit.class)
public final class ReportCommand extends EngineCommand {
    @Option(names = "--ptq", paramLabel = "FILE", description = "The ptq gate result.")
    Path ptq;

    @Option(names = "--run", paramLabel = "[STAGE=]FILE", description = "A run gate result; repeatable, in order.")
    List<String> runs = new ArrayList<>();

    @Option(names = "--compare", paramLabel = "FILE", description = "The compare gate result.")
    Path compare;

    @Option(names = "--verbosity", paramLabel = "FILE",
            description = "The verbosity gate result (day0 gate verbosity --out FILE).")
    Path verbosity;

    @Option(names = "--input", paramLabel = "ROLE=FILE",
            description = "An evidence file to list with its sha256 (e.g. baseline=scores.json); repeatable.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--report-dir", required = true, paramLabel = "DIR", description = "Where to write the files.")
    Path reportDir;

    @Override
    public Integer call() {
        if (ptq == null && runs.isEmpty() && compare == null && verbosity == null) {
            throw new InputException("day0 report", "", "give at least one of --ptq, --run, --compare, --verbosity");
        }
        DecisionRecord record = new DecisionRecord(Version.current());
        if (ptq != null) {
            record.input("ptq-result", ptq);
            record.stage("ptq", "ptq", gateResult(ptq, "ptq"));
        }
        int index = 0;
        for (String run : runs) {
            index++;
            int eq = run.indexOf('=');
            String stage = eq > 0 ? run.substring(0, eq) : "eval-" + index;
            Path file = Path.of(eq > 0 ? run.substring(eq + 1) : run);
            record.input(stage + "-result", file);
            record.stage(stage, "run", gateResult(file, "run"));
        }
        if (compare != null) {
            record.input("compare-result", compare);
            record.stage("compare", "compare", gateResult(compare, "compare"));
        }
        if (verbosity != null) {
            record.input("verbosity-result", verbosity);
            record.stage("verbosity", "verbosity", gateResult(verbosity, "verbosity"));
        }
        for (String input : inputs) {
            int eq = input.indexOf('=');
            if (eq <= 0) {
                throw new InputException("--input", "", "expected ROLE=FILE, got \"" + input + "\"");
            }
            record.input(input.substring(0, eq), Path.of(input.substring(eq + 1)));
        }
        List<Path> written = new ReportWriter(console().redactor()).write(record, reportDir);
        JsonNode json = record.toJson();
        var summary = Json.object();
        summary.set("decision", json.get("decision"));
        summary.set("publish_recommendation", json.get("publish_recommendation"));
        summary.set("failure_class", json.get("failure_class"));
        summary.set("detail", json.get("detail"));
        var files = summary.putArray("files");
        written.forEach(path -> files.add(path.toString()));
        return console().answer(summary, "ACCEPT".equals(json.path("decision").asText()) ? CommonExit.OK
                : CommonExit.FAILED, null);
    }

    /** The field only one gate's result has, by gate. */
    private static final Map<String, String> SIGNATURE = Map.of("verbosity",
            "harvest_diagnostics", "compare", "decision", "ptq", "checks", "run", "per_task");

    /** Which gate wrote this result, by the fields only it writes; null for a result with none (an input error). */
    static String gateOf(JsonNode doc) {
        if (doc.path("harvest_diagnostics").isObject()) {
            return "verbosity";
        }
        if (doc.path("decision").isTextual()) {
            return "compare";
        }
        if (doc.path("checks").isObject()) {
            return "ptq";
        }
        return doc.path("per_task").isObject() ? "run" : null;
    }

    private static JsonNode gateResult(Path file, String gate) {
        JsonNode doc = Json.read(file);
        Fields fields = new Fields(file.toString());
        fields.requireObject(doc, "");
        if (!doc.path("pass").isBoolean()) {
            throw fields.error("pass", "is missing or not true/false: not a " + gate + " gate result");
        }
        if ("compare".equals(gate) && !doc.path("decision").isTextual()) {
            throw fields.error("decision", "is missing: not a compare gate result");
        }
        if ("compare".equals(gate) && doc.path("pass").asBoolean() && !doc.path("per_task").isObject()) {
            throw fields.error("per_task", "is missing: a passing compare gate result lists every task it judged");
        }
        // per_task is in a compare result too; harvest_diagnostics is only in what 'day0 gate verbosity' writes.
        if ("verbosity".equals(gate) && !doc.path("harvest_diagnostics").isObject()) {
            throw fields.error("harvest_diagnostics", "is missing: not a verbosity gate result");
        }
        // A result given for the wrong stage (a compare result as --ptq) must not count as that stage passing.
        String kind = gateOf(doc);
        if (kind != null && !kind.equals(gate)) {
            throw fields.error(SIGNATURE.get(kind), "is present: this is a " + kind + " gate result, not a " + gate
                    + " gate result");
        }
        if (kind == null && doc.path("pass").asBoolean()) {
            throw fields.error(SIGNATURE.get(gate), "is missing: a passing " + gate + " gate result carries it; "
                    + "give the file 'day0 gate " + gate + " --out FILE' wrote");
        }
        // The exit block was the gate command's answer, not part of its result: the record is the same as the one
        // 'day0 gate ... --report-dir' writes.
        ((ObjectNode) doc).remove("exit");
        return doc;
    }
}
