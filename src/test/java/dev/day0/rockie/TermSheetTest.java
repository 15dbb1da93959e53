package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

public class TermSheetTest {
    private static final Path REFERENCE = RockieFixture.REFERENCE.resolve("approved-term-sheet.from-test.json");

    @Test
    public void shouldReadTheReferenceSheet() {
        TermSheet sheet = TermSheet.read(REFERENCE, Redactor.patternsOnly());

        assertThat(sheet.quoteId()).isEqualTo("qts_test");
        assertThat(sheet.gpuType()).isEqualTo("A100_80GB");
        assertThat(sheet.estimateCents()).isEqualTo(18000);
        assertThat(sheet.stagesTotal()).isEqualTo(18000);
        assertThat(sheet.approvedForSubmit()).isTrue();
        assertThat(sheet.recordedSha256()).isNull();
    }

    @Test
    public void shouldHashTheQuoteWithoutItsDecisionAndIndependentOfKeyOrder() {
        ObjectNode a = (ObjectNode) Json.parse("{\"b\": 1, \"a\": {\"y\": [1, 2], \"x\": \"é\"}, "
                + "\"decision\": {\"state\": \"pending\"}}", "a");
        ObjectNode b = (ObjectNode) Json.parse("{\"a\": {\"x\": \"é\", \"y\": [1, 2]}, "
                + "\"decision\": {\"state\": \"approve\", \"approved_by\": \"bob\"}, \"b\": 1}", "b");

        assertThat(TermSheet.quoteSha256(a)).isEqualTo(TermSheet.quoteSha256(b)).matches("[0-9a-f]{64}");
        assertThat(TermSheet.canonical(a.without("decision"))).isEqualTo("{\"a\":{\"x\":\"é\",\"y\":[1,2]},\"b\":1}");
    }

    @Test
    public void shouldChangeTheHashWhenAnyQuoteFieldChanges() {
        ObjectNode sheet = (ObjectNode) Json.read(REFERENCE);
        String before = TermSheet.quoteSha256(sheet);

        sheet.put("user_budget_cents", 27001);

        assertThat(TermSheet.quoteSha256(sheet)).isNotEqualTo(before);
    }

    @Test
    public void shouldCallAnythingElseNoTermSheet() throws Exception {
        Path dir = Files.createTempDirectory("sheet");
        Path empty = Files.writeString(dir.resolve("empty.json"), " ");
        Path noCompute = Files.writeString(dir.resolve("nc.json"), "{\"quote_id\": \"q\", \"availability\": "
                + "\"available\", \"wallclock_minutes\": 60, \"decision\": {\"state\": \"pending\"}}");
        try {
            for (Path file : new Path[] {dir.resolve("missing.json"), empty, noCompute}) {
                assertThatThrownBy(() -> TermSheet.read(file, Redactor.patternsOnly()))
                        .isInstanceOfSatisfying(RockieException.class,
                                e -> assertThat(e.exitCode()).isEqualTo(RockieExit.NO_TERM_SHEET.code()));
            }
            assertThatThrownBy(() -> TermSheet.read(noCompute, Redactor.patternsOnly()))
                    .hasMessageContaining("compute: is missing");
        } finally {
            Files.delete(empty);
            Files.delete(noCompute);
            Files.delete(dir);
        }
    }

    @Test
    public void shouldRefuseStagesThatAddUpToTheEstimateOnlyByWrappingOrByANegativeStage() {
        ObjectNode wrapped = (ObjectNode) Json.read(REFERENCE);
        // 2 x (2^63 - 1) + 18002 wraps to exactly 18000, the estimate.
        wrapped.putArray("stages").add(stage("gpu", Long.MAX_VALUE)).add(stage("storage", Long.MAX_VALUE))
                .add(stage("egress", 18002));
        assertThatThrownBy(() -> TermSheet.of(wrapped, "wrapped.json"))
                .isInstanceOfSatisfying(RockieException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(RockieExit.NO_TERM_SHEET.code()))
                .hasMessageContaining("wrapped.json: stages[1].cents: takes the stages' sum past the largest number");

        ObjectNode negative = (ObjectNode) Json.read(REFERENCE);
        negative.putArray("stages").add(stage("gpu", 36000)).add(stage("credit", -18000));
        assertThatThrownBy(() -> TermSheet.of(negative, "negative.json"))
                .hasMessageContaining("negative.json: stages[1].cents: must not be negative, found -18000");
    }

    private static ObjectNode stage(String name, long cents) {
        ObjectNode stage = Json.object();
        stage.put("name", name);
        stage.put("cents", cents);
        return stage;
    }
}
