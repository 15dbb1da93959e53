package dev.day0.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a decision record as JUnit XML: one suite per gate, one test case per task and per gate check, with
 * the drop and the limit in each failure message, so Jenkins' test view lists what failed and by how much.
 */
final class JUnitReport {
    private JUnitReport() {
    }

    private record Case(String className, String name, String failure, String output) {
    }

    static String render(JsonNode record) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        List<List<Case>> suites = new ArrayList<>();
        List<String> suiteNames = new ArrayList<>();
        for (JsonNode gate : record.path("gates")) {
            String stage = gate.path("stage").asText();
            String kind = gate.path("gate").asText();
            suiteNames.add("day0." + stage);
            suites.add(cases(stage, kind, gate.path("result")));
        }
        int tests = 0;
        int failures = 0;
        for (List<Case> suite : suites) {
            tests += suite.size();
            failures += (int) suite.stream().filter(c -> c.failure() != null).count();
        }
        xml.append("<testsuites name=\"day0\" tests=\"").append(tests).append("\" failures=\"").append(failures)
                .append("\">\n");
        for (int i = 0; i < suites.size(); i++) {
            List<Case> suite = suites.get(i);
            long failed = suite.stream().filter(c -> c.failure() != null).count();
            xml.append("  <testsuite name=\"").append(Markup.escape(suiteNames.get(i))).append("\" tests=\"")
                    .append(suite.size()).append("\" failures=\"").append(failed).append("\" errors=\"0\">\n");
            for (Case c : suite) {
                xml.append("    <testcase classname=\"").append(Markup.escape(c.className())).append("\" name=\"")
                        .append(Markup.escape(c.name())).append('"');
                if (c.failure() == null && c.output() == null) {
                    xml.append("/>\n");
                    continue;
                }
                xml.append(">\n");
                if (c.failure() != null) {
                    xml.append("      <failure message=\"").append(Markup.escape(c.failure())).append("\">")
                            .append(Markup.escape(c.failure())).append("</failure>\n");
                }
                if (c.output() != null) {
                    xml.append("      <system-out>").append(Markup.escape(c.output())).append("</system-out>\n");
                }
                xml.append("    </testcase>\n");
            }
            xml.append("  </testsuite>\n");
        }
        return xml.append("</testsuites>\n").toString();
    }

    private static List<Case> cases(String stage, String gate, JsonNode result) {
        List<Case> cases = new ArrayList<>();
        String className = "day0." + stage;
        switch (gate) {
            case "ptq" -> {
                for (Map.Entry<String, JsonNode> check : ReportWriter.entries(result.path("checks"))) {
                    boolean ok = check.getValue().path("ok").asBoolean(false);
                    cases.add(new Case(className, check.getKey(),
                            ok ? null : check.getKey() + " check failed: " + result.path("detail").asText(),
                            check.getValue().toString()));
                }
            }
            case "run" -> {
                for (Map.Entry<String, JsonNode> task : ReportWriter.entries(result.path("per_task"))) {
                    boolean ok = task.getValue().path("ok").asBoolean(false);
                    List<String> reasons = new ArrayList<>();
                    task.getValue().path("reasons").forEach(r -> reasons.add(r.asText()));
                    cases.add(new Case(className, task.getKey(), ok ? null : String.join("; ", reasons), null));
                }
            }
            case "compare" -> {
                String limit = result.path("threshold").asText("?");
                for (Map.Entry<String, JsonNode> task : ReportWriter.entries(result.path("per_task"))) {
                    JsonNode row = task.getValue();
                    String failure = null;
                    if (row.has("verdict") && !row.has("anomaly")) {
                        cases.add(new Case(className, task.getKey(), verdictFailure(row), verdictOutput(row)));
                        continue;
                    }
                    if (row.has("anomaly")) {
                        failure = "anomaly: " + row.path("anomaly").asText();
                    } else if (!row.path("within_threshold").asBoolean(false)) {
                        failure = "drop " + row.path("drop_fraction").asText() + " > limit " + limit
                                + " (baseline " + row.path("baseline").asText() + ", candidate "
                                + row.path("candidate").asText() + ")";
                    }
                    String output = row.has("drop") ? "baseline " + row.path("baseline").asText() + ", candidate "
                            + row.path("candidate").asText() + ", drop " + row.path("drop_fraction").asText()
                            + ", limit " + limit : null;
                    cases.add(new Case(className, task.getKey(), failure, output));
                }
            }
            default -> {
            }
        }
        if (cases.isEmpty()) {
            boolean pass = result.path("pass").asBoolean(false);
            cases.add(new Case(className, gate, pass ? null : result.path("detail").asText(), null));
        }
        return cases;
    }

    /** A task judged by verdict fails its test case when the verdict blocks the release. */
    private static String verdictFailure(JsonNode row) {
        if (row.has("sample_accounting")) {
            return "sample accounting: " + row.path("sample_accounting").asText();
        }
        String verdict = row.path("verdict").asText();
        if ("PASS".equals(verdict) || !row.path("blocking").asBoolean(true)) {
            return null;
        }
        String text = verdict + ": " + verdictOutput(row);
        JsonNode needed = row.path("evidence_needed");
        if ("INSUFFICIENT_EVIDENCE".equals(verdict) && needed.isObject()) {
            text += "; " + needed.path("note").asText();
        }
        return text;
    }

    private static String verdictOutput(JsonNode row) {
        JsonNode interval = row.path("interval");
        return "baseline " + row.path("baseline").asText() + ", candidate " + row.path("candidate").asText()
                + ", drop " + row.path("drop_fraction").asText()
                + (interval.isObject() ? ", 95 % interval [" + interval.path("lower").asText() + ", "
                        + interval.path("upper").asText() + "]" : "")
                + ", limit " + row.path("limit").asText() + ", tier " + row.path("tier").asText()
                + (row.path("blocking").asBoolean(true) ? "" : " (not blocking)");
    }
}
