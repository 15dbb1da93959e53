package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.gates.CompareGate;
import dev.day0.io.Json;
import dev.day0.report.DecisionRecord;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class HtmlReportTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleasePlan plan;

    @Before
    public void setUp() throws Exception {
        plan = ReleasePlan.load(new ReleaseFixture(temp.newFolder("plan").toPath()).plan());
    }

    private static ObjectNode record(String baseline, String candidate) {
        DecisionRecord record = new DecisionRecord("test");
        record.stage("ptq_gate", "ptq", Json.parse("""
                {"pass": true, "failure_class": null, "detail": "ok",
                 "checks": {"size": {"source_bytes": 16106127360, "output_bytes": 5100273664, "ratio": 0.3167}}}
                """, "ptq"));
        record.stage("compare", "compare", new CompareGate(0.01, false, null, null, null)
                .evaluate(Json.parse(baseline, "b"), "b", Json.parse(candidate, "c"), "c").toJson());
        return record.toJson();
    }

    @Test
    public void shouldShowTheDecisionTheSizesAndOneBarPerTask() {
        String html = HtmlReport.render(record("{\"mmlu\": 70, \"gsm8k\": 80}", "{\"mmlu\": 67, \"gsm8k\": 79.8}"),
                plan);

        assertThat(html).contains("<div class=\"decision\">REGRESSION</div>", "do-not-publish")
                .contains("before <b>15.0 GiB</b>, after <b>4.8 GiB</b>, ratio <b>0.3167</b>")
                .contains("<rect class=\"bar bad\"", "<rect class=\"bar ok\"", "class=\"band\"", "limit -1.00")
                .contains("mmlu: -3.00", "gsm8k: -0.20");
    }

    @Test
    public void shouldBeSelfContained() {
        String html = HtmlReport.render(record("{\"a\": 50}", "{\"a\": 50}"), plan);

        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("src=").doesNotContain("href=")
                .doesNotContain("url(").doesNotContain("@import").contains("default-src 'none'");
    }

    @Test
    public void shouldEscapeEverythingItShows() {
        String html = HtmlReport.render(record("{\"<img src=x onerror=alert(1)>\": 50}",
                "{\"<img src=x onerror=alert(1)>\": 50}"), plan);

        assertThat(html).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
    }

    @Test
    public void shouldMarkAnAnomalousTaskWithoutValidScores() {
        String html = HtmlReport.render(record("{\"a\": 50, \"b\": 40}", "{\"a\": null, \"b\": 40}"), plan);

        assertThat(html).contains("ANOMALOUS", "no valid scores: candidate score is null");
    }

    @Test
    public void shouldDrawConfidenceIntervalsWhenTheComparisonHasThem() {
        ObjectNode record = record("{\"a\": 50}", "{\"a\": 49.5}");
        ObjectNode row = (ObjectNode) record.path("tasks").get(0);
        row.set("interval", Json.parse("{\"confidence\": 0.95, \"lower\": -0.004, \"upper\": 0.014}", "i"));
        row.put("verdict", "INSUFFICIENT_EVIDENCE");

        String html = HtmlReport.render(record, plan);

        assertThat(html).contains("<line class=\"ci\"", "whiskers are confidence intervals",
                "INSUFFICIENT_EVIDENCE", "<th>verdict</th>");
    }

    @Test
    public void shouldReadOnlyWellFormedIntervals() {
        assertThat(HtmlReport.dropInterval(Json.parse("{\"lower\": 0.1, \"upper\": 0.2}", "i")))
                .containsExactly(0.1, 0.2);
        assertThat(HtmlReport.dropInterval(Json.parse("{\"lower\": 0.3, \"upper\": 0.2}", "i"))).isNull();
        assertThat(HtmlReport.dropInterval(Json.parse("{\"lower\": null, \"upper\": 0.2}", "i"))).isNull();
        assertThat(HtmlReport.dropInterval(Json.parse("[0.1, 0.2]", "i"))).isNull();
    }

    @Test
    public void shouldPlaceTicksOnRoundValues() {
        List<Double> ticks = HtmlReport.ticks(-0.031, 0.012);

        assertThat(ticks).contains(0.0, -0.01, -0.02, -0.03, 0.01);
    }

    @Test
    public void shouldWriteSizesInBinaryUnits() {
        assertThat(HtmlReport.bytes(512)).isEqualTo("512 B");
        assertThat(HtmlReport.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(HtmlReport.bytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}
