package dev.day0.report;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders a decision record as Markdown for people: the decision first, then the evidence behind it. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String render(JsonNode record) {
        StringBuilder md = new StringBuilder();
        md.append("# day0 decision: ").append(record.path("decision").asText()).append("\n\n");
        md.append("- Publish recommendation: **").append(record.path("publish_recommendation").asText())
                .append("**\n");
        if (!record.path("failure_class").isNull()) {
            md.append("- Failure class: `").append(record.path("failure_class").asText()).append("`\n");
        }
        md.append("- Detail: ").append(cell(record.path("detail").asText())).append("\n");
        md.append("- Engine: day0 ").append(record.path("tool").path("version").asText())
                .append(", recorded ").append(record.path("created_at").asText()).append("\n\n");

        JsonNode size = record.path("size");
        if (size.isObject()) {
            md.append("## Size\n\n| source bytes | output bytes | ratio |\n|---:|---:|---:|\n");
            md.append("| ").append(text(size.get("source_bytes"))).append(" | ")
                    .append(text(size.get("output_bytes"))).append(" | ").append(text(size.get("ratio")))
                    .append(" |\n\n");
        }

        JsonNode tasks = record.path("tasks");
        if (tasks.size() > 0 && hasVerdicts(tasks)) {
            verdictTable(md, tasks);
        } else if (tasks.size() > 0) {
            md.append("## Tasks\n\n| task | baseline | candidate | delta | drop fraction | limit | within |\n")
                    .append("|---|---:|---:|---:|---:|---:|:---:|\n");
            for (JsonNode row : tasks) {
                md.append("| ").append(cell(row.path("task").asText())).append(" | ")
                        .append(text(row.get("baseline"))).append(" | ")
                        .append(text(row.get("candidate"))).append(" | ")
                        .append(text(row.get("delta"))).append(" | ")
                        .append(text(row.get("drop_fraction"))).append(" | ")
                        .append(text(row.get("limit"))).append(" | ")
                        .append(row.path("within").asBoolean() ? "yes" : "**no**").append(" |\n");
            }
            md.append('\n');
            for (JsonNode row : tasks) {
                if (row.has("anomaly")) {
                    md.append("- Anomaly in ").append(cell(row.path("task").asText())).append(": ")
                            .append(cell(row.path("anomaly").asText())).append('\n');
                }
            }
        }

        md.append("## Gates\n\n| stage | gate | result | failure class | detail |\n|---|---|---|---|---|\n");
        for (JsonNode gate : record.path("gates")) {
            JsonNode result = gate.path("result");
            md.append("| ").append(cell(gate.path("stage").asText())).append(" | ")
                    .append(gate.path("gate").asText()).append(" | ")
                    .append(result.path("pass").asBoolean() ? "pass" : "**fail**").append(" | ")
                    .append(result.path("failure_class").isNull() ? "" : result.path("failure_class").asText())
                    .append(" | ").append(cell(result.path("detail").asText())).append(" |\n");
        }
        md.append("\n## Inputs\n\n| role | file | sha256 |\n|---|---|---|\n");
        for (JsonNode input : record.path("inputs")) {
            md.append("| ").append(cell(input.path("role").asText())).append(" | `")
                    .append(input.path("path").asText().replace("`", "'")).append("` | `")
                    .append(input.path("sha256").asText()).append("` |\n");
        }
        for (JsonNode gate : record.path("gates")) {
            JsonNode notes = gate.path("result").path("notes");
            for (JsonNode note : notes) {
                md.append("\nNote (").append(cell(gate.path("stage").asText())).append("): ")
                        .append(cell(note.asText())).append('\n');
            }
        }
        return md.toString();
    }

    private static boolean hasVerdicts(JsonNode tasks) {
        for (JsonNode row : tasks) {
            if (row.has("verdict")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The task table of a policy or noise-aware comparison: tier, the 95 % interval of the drop (same unit as the
     * drop fraction and the limit), the verdict and the flips, then what evidence each inconclusive task needs.
     */
    private static void verdictTable(StringBuilder md, JsonNode tasks) {
        md.append("## Tasks\n\n| task | tier | baseline | candidate | delta | drop fraction | 95 % interval of the "
                + "drop | limit | verdict | flips worse / better (McNemar p) |\n")
                .append("|---|---|---:|---:|---:|---:|:---:|---:|---|---|\n");
        for (JsonNode row : tasks) {
            JsonNode interval = row.path("interval");
            String intervalText = interval.isObject() ? "[" + text(interval.get("lower")) + ", "
                    + text(interval.get("upper")) + "]" : "-";
            JsonNode flips = row.path("flips");
            String flipsText = flips.isObject() ? flips.path("correct_to_wrong").asText() + " / "
                    + flips.path("wrong_to_correct").asText() + " (" + text(flips.get("mcnemar_p")) + ")" : "-";
            String verdict = row.path("verdict").isTextual() ? row.path("verdict").asText()
                    : row.has("sample_accounting") ? "SAMPLE_ACCOUNTING_FAILED" : "-";
            boolean blocking = row.path("blocking").asBoolean(true);
            String verdictText = "PASS".equals(verdict) || "-".equals(verdict) ? verdict
                    : blocking ? "**" + verdict + "**" : verdict + " (not blocking)";
            md.append("| ").append(cell(row.path("task").asText())).append(" | ")
                    .append(cell(row.path("tier").asText("-"))).append(" | ")
                    .append(text(row.get("baseline"))).append(" | ")
                    .append(text(row.get("candidate"))).append(" | ")
                    .append(text(row.get("delta"))).append(" | ")
                    .append(text(row.get("drop_fraction"))).append(" | ")
                    .append(cell(intervalText)).append(" | ")
                    .append(text(row.get("limit"))).append(" | ")
                    .append(verdictText).append(" | ")
                    .append(cell(flipsText)).append(" |\n");
        }
        md.append('\n');
        for (JsonNode row : tasks) {
            String task = cell(row.path("task").asText());
            if (row.has("anomaly")) {
                md.append("- Anomaly in ").append(task).append(": ").append(cell(row.path("anomaly").asText()))
                        .append('\n');
            }
            if (row.has("sample_accounting")) {
                md.append("- Sample accounting failed in ").append(task).append(": ")
                        .append(cell(row.path("sample_accounting").asText())).append('\n');
            }
            JsonNode needed = row.path("evidence_needed");
            if ("INSUFFICIENT_EVIDENCE".equals(row.path("verdict").asText()) && needed.isObject()) {
                md.append("- Evidence needed for ").append(task).append(": ")
                        .append(cell(needed.path("note").asText())).append('\n');
            }
        }
        md.append('\n');
    }

    static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "-";
        }
        return cell(value.isNumber() ? value.decimalValue().toPlainString() : value.asText());
    }

    /** Table cells must not break the table: pipes are escaped, newlines folded. */
    static String cell(String text) {
        return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }
}
