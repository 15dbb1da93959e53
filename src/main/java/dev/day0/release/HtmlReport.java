package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.report.Markup;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page for people (inline CSS and SVG, no script, no network): the decision,
 * the checkpoint size before and after, and a per-task chart of each change against the threshold band, with
 * confidence intervals when the comparison carries them.
 */
final class HtmlReport {
    static final int CHART_WIDTH = 760;
    private static final int LABEL_WIDTH = 190;
    private static final int ROW_HEIGHT = 30;
    private static final int AXIS_HEIGHT = 44;

    private HtmlReport() {
    }

    static String render(JsonNode record, ReleasePlan plan) {
        String decision = record.path("decision").asText();
        StringBuilder html = new StringBuilder(16_384);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<title>day0 ").append(esc(plan.name())).append(": ").append(esc(decision))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");

        html.append("<header class=\"d-").append(esc(decision.toLowerCase(Locale.ROOT))).append("\">\n")
                .append("<div class=\"decision\">").append(esc(decision)).append("</div>\n")
                .append("<div class=\"sub\">").append(esc(record.path("publish_recommendation").asText()))
                .append("</div>\n</header>\n<main>\n");
        html.append("<h1>").append(esc(plan.name())).append("</h1>\n<dl class=\"facts\">\n");
        fact(html, "model", plan.model());
        fact(html, "recipe", plan.recipe());
        fact(html, "tasks", Integer.toString(plan.tasks().size()));
        fact(html, "threshold", plain(plan.threshold()) + (plan.relative() ? " of the baseline (relative)"
                : " of the scale"));
        if (!record.path("failure_class").isNull()) {
            fact(html, "failure class", record.path("failure_class").asText());
        }
        fact(html, "detail", record.path("detail").asText());
        fact(html, "engine", "day0 " + record.path("tool").path("version").asText() + ", "
                + record.path("created_at").asText());
        html.append("</dl>\n");

        size(html, record.path("size"));
        chart(html, record.path("tasks"), plan);
        taskTable(html, record.path("tasks"));
        gates(html, record.path("gates"));
        inputs(html, record.path("inputs"));
        html.append("</main>\n<footer>Written by day0. This page loads nothing from the network.</footer>\n")
                .append("</body>\n</html>\n");
        return html.toString();
    }

    private static void fact(StringBuilder html, String name, String value) {
        html.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    private static void size(StringBuilder html, JsonNode size) {
        if (!size.isObject()) {
            return;
        }
        Double source = number(size.get("source_bytes"));
        Double output = number(size.get("output_bytes"));
        html.append("<section>\n<h2>Size</h2>\n<p class=\"size\">");
        html.append("before <b>").append(source == null ? "-" : bytes(source)).append("</b>, after <b>")
                .append(output == null ? "-" : bytes(output)).append("</b>, ratio <b>")
                .append(esc(text(size.get("ratio")))).append("</b></p>\n");
        if (source != null && output != null && source > 0 && output > 0) {
            double max = Math.max(source, output);
            int full = CHART_WIDTH - LABEL_WIDTH - 120;
            html.append("<svg class=\"sizes\" width=\"").append(CHART_WIDTH).append("\" height=\"64\" role=\"img\"")
                    .append(" aria-label=\"checkpoint size before and after\">\n");
            sizeBar(html, 8, "before", source, full * source / max, "#8a94a6");
            sizeBar(html, 36, "after", output, full * output / max, output < source ? "#2f9e55" : "#c92a2a");
            html.append("</svg>\n");
        }
        html.append("</section>\n");
    }

    private static void sizeBar(StringBuilder html, int y, String label, double value, double width, String color) {
        html.append("<text x=\"").append(LABEL_WIDTH - 10).append("\" y=\"").append(y + 15)
                .append("\" text-anchor=\"end\">").append(label).append("</text>\n")
                .append("<rect x=\"").append(LABEL_WIDTH).append("\" y=\"").append(y).append("\" width=\"")
                .append(fmt(Math.max(width, 1))).append("\" height=\"20\" fill=\"").append(color).append("\"/>\n")
                .append("<text x=\"").append(fmt(LABEL_WIDTH + Math.max(width, 1) + 6)).append("\" y=\"")
                .append(y + 15).append("\">").append(bytes(value)).append("</text>\n");
    }

    /** The change of one task, as a signed fraction (candidate better is positive), with its interval if any. */
    private record Bar(String task, Double change, Double low, Double high, boolean within, String anomaly,
                       String verdict) {
    }

    private static void chart(StringBuilder html, JsonNode tasks, ReleasePlan plan) {
        if (tasks.size() == 0) {
            return;
        }
        double limit = plan.threshold();
        List<Bar> bars = new ArrayList<>();
        double min = -2 * Math.max(limit, 0.005);
        double max = Math.max(limit, 0.005);
        for (JsonNode row : tasks) {
            Double drop = number(row.get("drop_fraction"));
            Double change = drop == null ? null : -drop;
            double[] interval = dropInterval(row.get("interval"));
            // The interval is of the drop (positive = worse); the chart shows the change, so it flips.
            Double low = interval == null ? null : -interval[1];
            Double high = interval == null ? null : -interval[0];
            bars.add(new Bar(row.path("task").asText(), change, low, high, row.path("within").asBoolean(false),
                    row.has("anomaly") ? row.path("anomaly").asText() : null,
                    row.has("verdict") ? row.path("verdict").asText() : null));
            for (Double value : new Double[] {change, low, high}) {
                if (value != null) {
                    min = Math.min(min, value);
                    max = Math.max(max, value);
                }
            }
        }
        double pad = (max - min) * 0.08;
        min -= pad;
        max += pad;
        int plotLeft = LABEL_WIDTH;
        int plotRight = CHART_WIDTH - 70;
        int height = AXIS_HEIGHT + bars.size() * ROW_HEIGHT + 10;
        Scale x = new Scale(min, max, plotLeft, plotRight);
        String unit = plan.relative() ? "% of the baseline" : "points (% of the scale)";

        html.append("<section>\n<h2>Change per task</h2>\n<p class=\"legend\">Each bar is the quantized score ")
                .append("minus the baseline, in ").append(esc(unit)).append(". The shaded band is what the ")
                .append("threshold allows (a drop of at most ").append(esc(plain(limit * 100)))
                .append("); red bars fall outside it")
                .append(bars.stream().anyMatch(b -> b.low() != null) ? "; whiskers are confidence intervals" : "")
                .append(".</p>\n");
        html.append("<svg class=\"chart\" width=\"").append(CHART_WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"change per task against the threshold\">\n");
        int top = AXIS_HEIGHT - 14;
        int bottom = height - 6;
        double bandLeft = x.at(-limit);
        html.append("<rect class=\"fail-zone\" x=\"").append(fmt(plotLeft)).append("\" y=\"").append(top)
                .append("\" width=\"").append(fmt(Math.max(0, bandLeft - plotLeft))).append("\" height=\"")
                .append(bottom - top).append("\"/>\n");
        html.append("<rect class=\"band\" x=\"").append(fmt(bandLeft)).append("\" y=\"").append(top)
                .append("\" width=\"").append(fmt(Math.max(0, plotRight - bandLeft))).append("\" height=\"")
                .append(bottom - top).append("\"/>\n");
        for (double tick : ticks(min, max)) {
            double px = x.at(tick);
            html.append("<line class=\"grid\" x1=\"").append(fmt(px)).append("\" y1=\"").append(top)
                    .append("\" x2=\"").append(fmt(px)).append("\" y2=\"").append(bottom).append("\"/>\n");
            // The limit has its own label; a tick label there would sit under the dashed line.
            if (Math.abs(px - x.at(-limit)) > 24) {
                html.append("<text class=\"tick\" x=\"").append(fmt(px)).append("\" y=\"").append(top - 4)
                        .append("\" text-anchor=\"middle\">").append(esc(signed(tick * 100))).append("</text>\n");
            }
        }
        html.append("<line class=\"limit\" x1=\"").append(fmt(bandLeft)).append("\" y1=\"").append(top - 16)
                .append("\" x2=\"").append(fmt(bandLeft)).append("\" y2=\"").append(bottom).append("\"/>\n")
                .append("<text class=\"limit-label\" x=\"").append(fmt(bandLeft - 4)).append("\" y=\"")
                .append(top - 18).append("\" text-anchor=\"end\">limit ").append(esc(signed(-limit * 100)))
                .append("</text>\n");
        double zero = x.at(0);
        html.append("<line class=\"zero\" x1=\"").append(fmt(zero)).append("\" y1=\"").append(top)
                .append("\" x2=\"").append(fmt(zero)).append("\" y2=\"").append(bottom).append("\"/>\n");

        int y = AXIS_HEIGHT;
        for (Bar bar : bars) {
            int mid = y + ROW_HEIGHT / 2;
            html.append("<text class=\"task\" x=\"").append(LABEL_WIDTH - 10).append("\" y=\"").append(mid + 4)
                    .append("\" text-anchor=\"end\">").append(esc(shorten(bar.task(), 26))).append("<title>")
                    .append(esc(bar.task())).append("</title></text>\n");
            if (bar.change() == null) {
                html.append("<text class=\"no-value\" x=\"").append(fmt(zero + 6)).append("\" y=\"")
                        .append(mid + 4).append("\">no valid scores").append(bar.anomaly() == null ? ""
                        : ": " + esc(shorten(bar.anomaly(), 60))).append("</text>\n");
                y += ROW_HEIGHT;
                continue;
            }
            double end = x.at(bar.change());
            String cls = bar.anomaly() != null ? "anomaly" : bar.within() ? "ok" : "bad";
            html.append("<rect class=\"bar ").append(cls).append("\" x=\"").append(fmt(Math.min(zero, end)))
                    .append("\" y=\"").append(mid - 8).append("\" width=\"")
                    .append(fmt(Math.max(1.5, Math.abs(end - zero)))).append("\" height=\"16\"><title>")
                    .append(esc(bar.task() + ": " + signed(bar.change() * 100)
                            + (bar.verdict() == null ? "" : " (" + bar.verdict() + ")")))
                    .append("</title></rect>\n");
            if (bar.low() != null) {
                double lo = x.at(bar.low());
                double hi = x.at(bar.high());
                html.append("<line class=\"ci\" x1=\"").append(fmt(lo)).append("\" y1=\"").append(mid)
                        .append("\" x2=\"").append(fmt(hi)).append("\" y2=\"").append(mid).append("\"/>\n")
                        .append("<line class=\"ci\" x1=\"").append(fmt(lo)).append("\" y1=\"").append(mid - 6)
                        .append("\" x2=\"").append(fmt(lo)).append("\" y2=\"").append(mid + 6).append("\"/>\n")
                        .append("<line class=\"ci\" x1=\"").append(fmt(hi)).append("\" y1=\"").append(mid - 6)
                        .append("\" x2=\"").append(fmt(hi)).append("\" y2=\"").append(mid + 6).append("\"/>\n");
            }
            double labelX = Math.max(end, zero) + 6;
            if (bar.high() != null) {
                labelX = Math.max(labelX, x.at(bar.high()) + 6);
            }
            html.append("<text class=\"value\" x=\"").append(fmt(Math.min(labelX, CHART_WIDTH - 64)))
                    .append("\" y=\"").append(mid + 4).append("\">").append(esc(signed(bar.change() * 100)))
                    .append(bar.verdict() == null ? "" : " " + esc(bar.verdict())).append("</text>\n");
            y += ROW_HEIGHT;
        }
        html.append("</svg>\n</section>\n");
    }

    /**
     * The confidence interval of a task's drop from a noise-aware comparison ({@code interval: {lower, upper}},
     * fractions of the scale, positive = worse), or null when the row has none.
     */
    static double[] dropInterval(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        Double low = number(node.get("lower"));
        Double high = number(node.get("upper"));
        if (low == null || high == null || low > high) {
            return null;
        }
        return new double[] {low, high};
    }

    private record Scale(double min, double max, double left, double right) {
        double at(double value) {
            return left + (value - min) / (max - min) * (right - left);
        }
    }

    /** Round tick values (in fraction units) that fit the range, about six of them. */
    static List<Double> ticks(double min, double max) {
        double span = max - min;
        double raw = span / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double candidate : new double[] {1, 2, 2.5, 5, 10}) {
            if (candidate * magnitude >= raw) {
                step = candidate * magnitude;
                break;
            }
        }
        // Multiples of the step in decimal, so -0.03 is a tick and not -0.030000000000000002.
        BigDecimal exactStep = BigDecimal.valueOf(step);
        List<Double> ticks = new ArrayList<>();
        for (long k = (long) Math.ceil(min / step); k <= (long) Math.floor(max / step); k++) {
            ticks.add(BigDecimal.valueOf(k).multiply(exactStep).doubleValue());
        }
        return ticks;
    }

    private static void taskTable(StringBuilder html, JsonNode tasks) {
        if (tasks.size() == 0) {
            return;
        }
        boolean verdicts = false;
        for (JsonNode row : tasks) {
            verdicts |= row.has("verdict");
        }
        html.append("<section>\n<h2>Tasks</h2>\n<table>\n<thead><tr><th>task</th><th class=\"n\">baseline</th>")
                .append("<th class=\"n\">candidate</th><th class=\"n\">delta</th><th class=\"n\">drop</th>")
                .append("<th class=\"n\">limit</th><th>within</th>")
                .append(verdicts ? "<th>verdict</th>" : "").append("</tr></thead>\n<tbody>\n");
        for (JsonNode row : tasks) {
            boolean ok = row.path("within").asBoolean(false) && !row.has("anomaly");
            html.append("<tr class=\"").append(ok ? "ok" : "bad").append("\"><td>")
                    .append(esc(row.path("task").asText())).append("</td><td class=\"n\">")
                    .append(esc(text(row.get("baseline")))).append("</td><td class=\"n\">")
                    .append(esc(text(row.get("candidate")))).append("</td><td class=\"n\">")
                    .append(esc(text(row.get("delta")))).append("</td><td class=\"n\">")
                    .append(esc(text(row.get("drop_fraction")))).append("</td><td class=\"n\">")
                    .append(esc(text(row.get("limit")))).append("</td><td>")
                    .append(row.has("anomaly") ? "anomaly: " + esc(row.path("anomaly").asText())
                            : ok ? "yes" : "<b>no</b>").append("</td>");
            if (verdicts) {
                html.append("<td>").append(esc(text(row.get("verdict")))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private static void gates(StringBuilder html, JsonNode gates) {
        html.append("<section>\n<h2>Stages</h2>\n<table>\n<thead><tr><th>stage</th><th>result</th>")
                .append("<th>failure class</th><th>detail</th></tr></thead>\n<tbody>\n");
        for (JsonNode gate : gates) {
            JsonNode result = gate.path("result");
            boolean pass = result.path("pass").asBoolean(false);
            html.append("<tr class=\"").append(pass ? "ok" : "bad").append("\"><td>")
                    .append(esc(gate.path("stage").asText())).append("</td><td>")
                    .append(pass ? "pass" : "<b>fail</b>").append("</td><td>")
                    .append(esc(result.path("failure_class").isNull() ? "" : result.path("failure_class").asText()))
                    .append("</td><td>").append(esc(result.path("detail").asText())).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private static void inputs(StringBuilder html, JsonNode inputs) {
        html.append("<section>\n<h2>Evidence files</h2>\n<table class=\"inputs\">\n<thead><tr><th>role</th>")
                .append("<th>file</th><th>sha256</th></tr></thead>\n<tbody>\n");
        for (JsonNode input : inputs) {
            html.append("<tr><td>").append(esc(input.path("role").asText())).append("</td><td><code>")
                    .append(esc(input.path("path").asText())).append("</code></td><td><code>")
                    .append(esc(input.path("sha256").asText())).append("</code></td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    static String esc(String text) {
        return Markup.escape(text);
    }

    private static Double number(JsonNode node) {
        if (node == null || !node.isNumber()) {
            return null;
        }
        double value = node.doubleValue();
        return Double.isFinite(value) ? value : null;
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "-";
        }
        return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.asText();
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String signed(double points) {
        String text = String.format(Locale.ROOT, "%.2f", points);
        if (text.equals("-0.00")) {
            text = "0.00";
        }
        return points > 0 && !text.equals("0.00") ? "+" + text : text;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String bytes(double value) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        double v = value;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", v)
                : String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
    }

    private static final String CSS = """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
                   color: #1d2330; background: #f6f7f9; }
            header { padding: 18px 28px; color: #fff; display: flex; align-items: baseline; gap: 18px; }
            header .decision { font-size: 30px; font-weight: 700; letter-spacing: .04em; }
            header .sub { font-size: 16px; opacity: .9; }
            .d-accept { background: #2f9e55; } .d-regression { background: #c92a2a; }
            .d-anomalous { background: #d9480f; } .d-infeasible { background: #5c5f66; }
            .d-needs_human { background: #1c63c7; } .d-systemic { background: #7048e8; }
            main { padding: 8px 28px 24px; max-width: 980px; }
            h1 { font-size: 20px; margin: 12px 0 6px; } h2 { font-size: 16px; margin: 22px 0 8px; }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
            dl.facts dt { color: #5c6370; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
            section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 4px 16px 12px;
                      margin-top: 14px; }
            table { border-collapse: collapse; width: 100%; font-size: 13px; }
            th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; vertical-align: top; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            tr.bad td { background: #fff5f5; }
            table.inputs code { font-size: 11px; overflow-wrap: anywhere; }
            p.legend, p.size { color: #3b4252; margin: 4px 0 8px; }
            svg text { font: 12px system-ui, sans-serif; fill: #1d2330; }
            svg .tick { fill: #6b7280; font-size: 11px; }
            svg .band { fill: #e6f4ea; } svg .fail-zone { fill: #fdecec; }
            svg .grid { stroke: #e3e6eb; stroke-width: 1; }
            svg .zero { stroke: #1d2330; stroke-width: 1.2; }
            svg .limit { stroke: #c92a2a; stroke-width: 1.5; stroke-dasharray: 5 3; }
            svg .limit-label { fill: #c92a2a; font-size: 11px; }
            svg .bar.ok { fill: #2f9e55; } svg .bar.bad { fill: #c92a2a; } svg .bar.anomaly { fill: #d9480f; }
            svg .ci { stroke: #1d2330; stroke-width: 1.5; }
            svg .value { font-size: 11px; } svg .no-value { fill: #d9480f; font-size: 11px; }
            footer { color: #6b7280; font-size: 12px; padding: 0 28px 24px; }
            """;
}
