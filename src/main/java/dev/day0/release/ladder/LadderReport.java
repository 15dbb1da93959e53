package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decision;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ladder's reports at the top of its work directory: decision.json (the decision and every candidate's
 * outcome), report.md and report.html (a table of the candidates and the frontier chart: size ratio against
 * worst-task drop, the threshold band, the chosen point), frontier.svg (the chart alone) and junit.xml. Each
 * candidate's own reports stay in its directory. Everything written passes through the redactor.
 */
final class LadderReport {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;

    private final LadderPlan plan;
    private final Redactor redactor;

    LadderReport(LadderPlan plan, Redactor redactor) {
        this.plan = plan;
        this.redactor = redactor;
    }

    static String dollars(long cents) {
        return String.format(Locale.ROOT, "$%d.%02d", cents / 100, cents % 100);
    }

    List<Path> write(Path workdir, List<ObjectNode> entries, LadderDecision decision) {
        List<Path> files = new ArrayList<>();
        ObjectNode json = decision.toJson();
        json.put("schema", "day0.release-ladder-decision/1");
        json.put("plan", plan.name());
        files.add(write(workdir.resolve("decision.json"), Json.write(json) + "\n"));
        String svg = svg(entries, decision);
        files.add(write(workdir.resolve("frontier.svg"), svg));
        files.add(write(workdir.resolve("report.md"), markdown(entries, decision)));
        files.add(write(workdir.resolve("report.html"), html(entries, decision, svg)));
        files.add(write(workdir.resolve("junit.xml"), junit(entries, decision)));
        return files;
    }

    private Path write(Path file, String text) {
        new RedactingWriter(redactor).text(file, text);
        return file;
    }

    private String markdown(List<ObjectNode> entries, LadderDecision decision) {
        StringBuilder md = new StringBuilder();
        md.append("# Recipe ladder: ").append(plan.name()).append("\n\n");
        md.append("**Decision: ").append(decision.decision()).append("** (")
                .append(decision.decision().publishRecommendation()).append("): ").append(decision.detail())
                .append("\n\n");
        if (decision.chosen() != null && decision.chosen().hasNonNull("checkpoint")) {
            md.append("Publish `").append(decision.chosen().path("checkpoint").asText()).append('`');
            if (decision.chosen().hasNonNull("fingerprint")) {
                md.append(", checkpoint fingerprint `").append(decision.chosen().path("fingerprint").asText())
                        .append('`');
            }
            md.append(".\n\n");
        }
        md.append("Mode `").append(plan.mode().word()).append("`, ").append(plan.tried().size()).append(" of ")
                .append(plan.candidates().size()).append(" candidates may be tried")
                .append(plan.budgetCents() == null ? "" : ", budget " + dollars(plan.budgetCents())).append(".\n\n");
        md.append("| # | candidate | recipe | decision | class | size ratio | worst drop (points) | worst task "
                + "| spent | report |\n");
        md.append("|---|---|---|---|---|---:|---:|---|---:|---|\n");
        for (ObjectNode e : entries) {
            md.append("| ").append(e.path("index").asInt()).append(" | ").append(e.path("name").asText())
                    .append(chosenMark(e, decision)).append(" | ").append(e.path("recipe").asText()).append(" | ")
                    .append(outcome(e)).append(" | ").append(orDash(e.get("failure_class"))).append(" | ")
                    .append(number(e.get("size_ratio"), 1, "%.4f")).append(" | ")
                    .append(number(e.get("worst_drop"), 100, "%.2f")).append(" | ")
                    .append(orDash(e.get("worst_task"))).append(" | ")
                    .append(LadderSpend.describe(e))
                    .append(" | ").append(e.hasNonNull("report") ? "`" + e.get("report").asText() + "`" : "-")
                    .append(" |\n");
        }
        md.append("\n## Frontier\n\n![size ratio against worst-task drop](frontier.svg)\n\n");
        md.append("Each point is a candidate that reached the compare gate: its checkpoint's size as a fraction of "
                + "the source (x) against its worst task's drop (y, points of 100). Points above the threshold line "
                + "regress; the ringed point is the chosen one.\n");
        return md.toString();
    }

    private String html(List<ObjectNode> entries, LadderDecision decision, String svg) {
        String colour = switch (decision.decision()) {
            case ACCEPT -> "#1b7f3b";
            case REGRESSION -> "#b3261e";
            default -> "#8a5a00";
        };
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>day0 ladder: ")
                .append(esc(plan.name())).append("</title>\n<style>body{font-family:sans-serif;margin:24px;"
                        + "color:#222}.banner{color:#fff;padding:12px 16px;font-size:20px;border-radius:4px}"
                        + "table{border-collapse:collapse;margin:16px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "font-size:14px}td.num{text-align:right}tr.chosen{background:#e6f4ea}</style></head>"
                        + "<body>\n");
        html.append("<h1>Recipe ladder: ").append(esc(plan.name())).append("</h1>\n");
        html.append("<div class=\"banner\" id=\"decision\" style=\"background:").append(colour).append("\">")
                .append(esc(decision.decision().name())).append(" (")
                .append(esc(decision.decision().publishRecommendation())).append(")</div>\n");
        html.append("<p id=\"detail\">").append(esc(decision.detail())).append("</p>\n");
        if (decision.chosen() != null && decision.chosen().hasNonNull("checkpoint")) {
            html.append("<p>Publish <code>").append(esc(decision.chosen().path("checkpoint").asText()))
                    .append("</code>").append(decision.chosen().hasNonNull("fingerprint") ? ", fingerprint <code>"
                            + esc(decision.chosen().path("fingerprint").asText()) + "</code>" : "").append("</p>\n");
        }
        html.append("<table id=\"candidates\"><tr><th>#</th><th>candidate</th><th>recipe</th><th>decision</th>"
                + "<th>class</th><th>size ratio</th><th>worst drop (points)</th><th>worst task</th><th>spent</th>"
                + "</tr>\n");
        for (ObjectNode e : entries) {
            boolean chosen = decision.chosen() != null
                    && decision.chosen().path("index").asInt() == e.path("index").asInt();
            html.append("<tr").append(chosen ? " class=\"chosen\"" : "").append("><td>")
                    .append(e.path("index").asInt()).append("</td><td>").append(esc(e.path("name").asText()))
                    .append("</td><td>").append(esc(e.path("recipe").asText())).append("</td><td>")
                    .append(esc(outcome(e))).append("</td><td>").append(esc(orDash(e.get("failure_class"))))
                    .append("</td><td class=\"num\">").append(number(e.get("size_ratio"), 1, "%.4f"))
                    .append("</td><td class=\"num\">").append(number(e.get("worst_drop"), 100, "%.2f"))
                    .append("</td><td>").append(esc(orDash(e.get("worst_task")))).append("</td><td class=\"num\">")
                    .append(esc(LadderSpend.describe(e))).append("</td></tr>\n");
        }
        html.append("</table>\n<h2>Frontier</h2>\n").append(svg)
                .append("\n<p>Size ratio (checkpoint bytes over source bytes) against the worst task's drop in "
                        + "points; the shaded band is past the threshold. The ringed point is the chosen one.</p>\n"
                        + "</body></html>\n");
        return html.toString();
    }

    /** The frontier chart: one point per candidate that reached compare; the band above the threshold shaded. */
    String svg(List<ObjectNode> entries, LadderDecision decision) {
        List<ObjectNode> points = entries.stream().filter(e -> e.path("size_ratio").isNumber()
                && e.path("worst_drop").isNumber()).toList();
        double threshold = plan.candidates().isEmpty() ? 0.01 : entries.stream()
                .filter(e -> e.path("threshold").isNumber()).mapToDouble(e -> e.path("threshold").doubleValue())
                .max().orElse(0.01);
        double xMax = 1.0;
        double yMax = threshold * 100 * 2;
        double yMin = 0;
        for (ObjectNode p : points) {
            xMax = Math.max(xMax, p.path("size_ratio").doubleValue());
            yMax = Math.max(yMax, p.path("worst_drop").doubleValue() * 100 * 1.15);
            yMin = Math.min(yMin, p.path("worst_drop").doubleValue() * 100 * 1.15);
        }
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double finalYMax = yMax;
        double finalYMin = yMin;
        double finalXMax = xMax;
        java.util.function.DoubleUnaryOperator x = v -> LEFT + v / finalXMax * plotW;
        java.util.function.DoubleUnaryOperator y = v -> TOP + (finalYMax - v) / (finalYMax - finalYMin) * plotH;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"frontier\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" "
                + "fill=\"#ffffff\" stroke=\"#888888\"/>\n", LEFT, TOP, plotW, plotH));
        double band = y.applyAsDouble(threshold * 100);
        svg.append(String.format(Locale.ROOT, "<rect id=\"threshold-band\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                + "height=\"%.1f\" fill=\"#f6d5d3\"/>\n", LEFT, TOP, plotW, Math.max(0, band - TOP)));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                + "stroke=\"#b3261e\" stroke-dasharray=\"6 4\"/>\n", LEFT, band, LEFT + plotW, band));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#b3261e\" text-anchor=\"end\">"
                + "threshold %.2f points</text>\n", LEFT + plotW - 4, band - 4, threshold * 100));
        double zero = y.applyAsDouble(0);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                + "stroke=\"#bbbbbb\"/>\n", LEFT, zero, LEFT + plotW, zero));
        for (int i = 0; i <= 4; i++) {
            double v = finalXMax * i / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>\n",
                    x.applyAsDouble(v), HEIGHT - BOTTOM + 16, v));
            double w = finalYMin + (finalYMax - finalYMin) * i / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n",
                    LEFT - 6, y.applyAsDouble(w) + 4, w));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">size ratio "
                + "(checkpoint / source)</text>\n", LEFT + plotW / 2, HEIGHT - 10));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %.1f)\">worst drop (points)</text>\n", TOP + plotH / 2, TOP + plotH / 2));
        for (ObjectNode p : points) {
            double px = x.applyAsDouble(p.path("size_ratio").doubleValue());
            double py = y.applyAsDouble(p.path("worst_drop").doubleValue() * 100);
            boolean accept = "ACCEPT".equals(p.path("decision").asText());
            boolean chosen = decision.chosen() != null
                    && decision.chosen().path("index").asInt() == p.path("index").asInt();
            if (chosen) {
                svg.append(String.format(Locale.ROOT, "<circle id=\"chosen\" cx=\"%.1f\" cy=\"%.1f\" r=\"13\" "
                        + "fill=\"none\" stroke=\"#1b7f3b\" stroke-width=\"3\"/>\n", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<circle class=\"candidate\" cx=\"%.1f\" cy=\"%.1f\" r=\"7\" "
                    + "fill=\"%s\"/>\n", px, py, accept ? "#1b7f3b" : "#b3261e"));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", px + 16, py + 4,
                    esc(p.path("name").asText() + " (" + p.path("decision").asText() + ")")));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private String junit(List<ObjectNode> entries, LadderDecision decision) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        boolean failed = decision.decision() != dev.day0.core.Decision.ACCEPT;
        xml.append("<testsuite name=\"day0 ladder ").append(esc(plan.name())).append("\" tests=\"")
                .append(entries.size() + 1).append("\" failures=\"").append(failed ? 1 : 0).append("\" skipped=\"")
                .append(entries.stream().filter(e -> !e.hasNonNull("decision")).count()).append("\">\n");
        xml.append("  <testcase classname=\"day0.ladder\" name=\"decision\">");
        if (failed) {
            xml.append("<failure message=\"").append(esc(decision.decision().name())).append("\">")
                    .append(esc(decision.detail())).append("</failure>");
        }
        xml.append("<system-out>").append(esc(decision.detail())).append("</system-out></testcase>\n");
        for (ObjectNode e : entries) {
            xml.append("  <testcase classname=\"day0.ladder.candidates\" name=\"")
                    .append(esc(e.path("index").asInt() + "-" + e.path("name").asText())).append("\">");
            if (!e.hasNonNull("decision")) {
                xml.append("<skipped message=\"").append(esc(outcome(e))).append("\"/>");
            }
            // A candidate that does not ACCEPT is a rung the ladder moved past, not a failure of the build.
            xml.append("<system-out>").append(esc(outcome(e) + ": " + LadderDecision.describe(e)))
                    .append("</system-out></testcase>\n");
        }
        xml.append("</testsuite>\n");
        return xml.toString();
    }

    private static String chosenMark(JsonNode e, LadderDecision decision) {
        return decision.chosen() != null && decision.chosen().path("index").asInt() == e.path("index").asInt()
                ? " (chosen)" : "";
    }

    private static String outcome(JsonNode e) {
        return e.hasNonNull("decision") ? e.path("decision").asText() : e.path("status").asText("not tried");
    }

    private static String orDash(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "-" : node.asText();
    }

    private static String number(JsonNode node, double scale, String format) {
        return node != null && node.isNumber() ? String.format(Locale.ROOT, format, node.doubleValue() * scale)
                : "-";
    }

    private static String esc(String text) {
        return dev.day0.report.Markup.escape(text);
    }
}
