package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MetricsDocumentTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private MetricsDocument load(String text) {
        return MetricsDocument.load(SotaFiles.write(temp.getRoot().toPath(), "metrics.json", text));
    }

    @Test
    public void shouldReadMetricsFromAMetricsObjectOrTheTopLevel() {
        assertThat(load("{\"metrics\": {\"acc\": 0.9}, \"run\": \"x\"}").read("acc", null).value()).isEqualTo(0.9);
        assertThat(load("{\"acc\": 0.8}").read("acc", null).value()).isEqualTo(0.8);
    }

    @Test
    public void shouldReadAValueByJsonPointerFromARealLmEvalResultsFile() {
        MetricsDocument doc = MetricsDocument.load(Path.of("src/test/resources/reference/lm_eval/"
                + "llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json"));

        assertThat(doc.read("gsm8k", "/results/gsm8k/exact_match,strict-match").value())
                .isEqualTo(0.7520849128127369);
    }

    @Test
    public void shouldKeepAMissingOrEmptyFileAsAProblemNotAnError() {
        MetricsDocument missing = MetricsDocument.load(temp.getRoot().toPath().resolve("none.json"));
        assertThat(missing.usable()).isFalse();
        assertThat(missing.problem().kind()).isEqualTo(MetricsDocument.ProblemKind.MISSING);
        assertThat(load("").problem().kind()).isEqualTo(MetricsDocument.ProblemKind.MISSING);
    }

    @Test
    public void shouldKeepAnUnparseableOrShapelessFileAsUnreadable() {
        assertThat(load("{\"acc\": ").problem().kind()).isEqualTo(MetricsDocument.ProblemKind.UNREADABLE);
        assertThat(load("[0.9]").problem().detail()).contains("expected a JSON object of metrics");
        assertThat(load("{}").problem().detail()).contains("holds no metrics");
        assertThat(load("{\"metrics\": {}}").problem().kind()).isEqualTo(MetricsDocument.ProblemKind.UNREADABLE);
        assertThat(load("{\"a\": 1, \"a\": 2}").problem().detail()).contains("Duplicate field");
    }

    @Test
    public void shouldTellWhyAValueCannotBeCompared() {
        MetricsDocument doc = load("{\"s\": \"0.9\", \"b\": true, \"n\": NaN, \"i\": -Infinity, \"z\": null}");

        assertThat(doc.read("gone", null).problem().kind()).isEqualTo(MetricsDocument.ProblemKind.METRIC_MISSING);
        assertThat(doc.read("s", null).problem().detail()).endsWith("s: is string \"0.9\", not a number");
        assertThat(doc.read("b", null).problem().kind()).isEqualTo(MetricsDocument.ProblemKind.NOT_A_NUMBER);
        assertThat(doc.read("z", null).problem().kind()).isEqualTo(MetricsDocument.ProblemKind.NOT_A_NUMBER);
        assertThat(doc.read("n", null).problem().kind()).isEqualTo(MetricsDocument.ProblemKind.NON_FINITE);
        assertThat(doc.read("i", null).problem().detail()).contains("-Infinity, not a finite number");
        assertThat(doc.read("x", "/deep/path").problem().detail()).contains("pointer /deep/path: is not there");
    }
}
