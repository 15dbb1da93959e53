package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * A randomized property: whatever else an input holds, one poisoned value (NaN, a boolean, null, a string number,
 * an out-of-range score) means no gate says pass. Seeds are fixed so a failure reproduces; the failing input is in
 * the assertion message.
 */
public class GatesFailClosedTest {
    private static final String[] POISON = {"NaN", "Infinity", "-Infinity", "true", "false", "null", "\"85.5\"",
        "\"NaN\"", "101", "-1", "1e309", "[]", "{}"};
    /** Run summaries carry scores on any scale (perplexity above 100, signed indexes): range is compare's job. */
    private static final String[] TYPE_POISON = {"NaN", "Infinity", "-Infinity", "true", "false", "null",
        "\"85.5\"", "\"NaN\"", "1e309", "[]", "{}"};
    private static final int CASES = 3000;

    @Test
    public void shouldNeverPassACompareWithAPoisonedScore() {
        Random random = new Random(20261122L);
        for (int i = 0; i < CASES; i++) {
            int tasks = 1 + random.nextInt(6);
            List<String> baseline = new ArrayList<>();
            List<String> candidate = new ArrayList<>();
            int poisoned = random.nextInt(tasks);
            boolean poisonBaseline = random.nextBoolean();
            for (int t = 0; t < tasks; t++) {
                double b = random.nextInt(1000) / 10.0;
                double c = Math.max(0, b - random.nextInt(5) / 10.0);
                String bv = Double.toString(b);
                String cv = Double.toString(c);
                if (t == poisoned) {
                    String poison = POISON[random.nextInt(POISON.length)];
                    if (poisonBaseline) {
                        bv = poison;
                    } else {
                        cv = poison;
                    }
                }
                baseline.add("\"task" + t + "\": " + bv);
                candidate.add("\"task" + t + "\": " + cv);
            }
            String b = "{" + String.join(", ", baseline) + "}";
            String c = "{" + String.join(", ", candidate) + "}";
            double threshold = random.nextInt(3) == 0 ? 0.05 : 0.01;
            boolean relative = random.nextBoolean();

            GateResult result = new CompareGate(threshold, relative, null, null, null)
                    .evaluate(Json.parse(b, "b"), "b", Json.parse(c, "c"), "c");

            assertThat(result.pass()).as("baseline %s candidate %s", b, c).isFalse();
            assertThat(result.toJson().path("pass").asBoolean()).isFalse();
            assertThat(result.decision().name()).isNotEqualTo("ACCEPT");
        }
    }

    @Test
    public void shouldNeverPassARunWithAPoisonedField() {
        Random random = new Random(7L);
        String[] fields = {"score", "expected_samples", "scored_samples", "status"};
        for (int i = 0; i < CASES; i++) {
            String field = fields[random.nextInt(fields.length)];
            String poison = TYPE_POISON[random.nextInt(TYPE_POISON.length)];
            if (!field.equals("score") && (poison.equals("null"))) {
                poison = "\"many\"";
            }
            StringBuilder tasks = new StringBuilder();
            int count = 1 + random.nextInt(4);
            int poisoned = random.nextInt(count);
            for (int t = 0; t < count; t++) {
                String status = "\"SUCCESS\"";
                String score = Double.toString(random.nextInt(100));
                String expected = "100";
                String scored = "100";
                if (t == poisoned) {
                    switch (field) {
                        case "score" -> score = poison;
                        case "expected_samples" -> expected = poison;
                        case "scored_samples" -> scored = poison;
                        default -> status = poison;
                    }
                }
                if (t > 0) {
                    tasks.append(", ");
                }
                tasks.append("\"t").append(t).append("\": {\"status\": ").append(status)
                        .append(", \"expected_samples\": ").append(expected).append(", \"scored_samples\": ")
                        .append(scored).append(", \"score\": ").append(score).append(", \"errors\": []}");
            }
            String run = "{\"tasks\": {" + tasks + "}}";
            assertThat(passes(() -> new RunGate().evaluate(Json.parse(run, "r"), "r", null, null)))
                    .as(run).isFalse();
        }
    }

    @Test
    public void shouldNeverPassAPtqSummaryWithAPoisonedField() {
        Random random = new Random(11L);
        String[] fields = {"source_bytes", "output_bytes", "count", "recipe", "metadata"};
        for (int i = 0; i < CASES; i++) {
            String field = fields[random.nextInt(fields.length)];
            String poison = POISON[random.nextInt(POISON.length)];
            if (field.equals("metadata") && poison.equals("null") || field.equals("metadata") && poison.equals("[]")) {
                poison = "[1]";
            }
            String source = field.equals("source_bytes") ? poison : "1000";
            String output = field.equals("output_bytes") ? poison : "300";
            String count = field.equals("count") ? poison : "12";
            String recipe = field.equals("recipe") ? poison : "\"nvfp4\"";
            String metadata = field.equals("metadata") ? poison : "[]";
            if (field.endsWith("bytes") && poison.equals("101")) {
                // a positive size is not poison; make it a size that did not shrink instead
                output = "1000";
            }
            String summary = "{\"source_bytes\": " + source + ", \"output_bytes\": " + output + ", \"recipe\": "
                    + recipe + ", \"layer_precision_counts\": {\"NVFP4\": " + count + "}, \"metadata_diffs\": "
                    + metadata + "}";
            if (field.equals("count") && poison.equals("101")) {
                continue;
            }
            assertThat(passes(() -> new PtqGate().evaluate(Json.parse(summary, "s"), "s", null))).as(summary)
                    .isFalse();
        }
    }

    private interface Evaluation {
        GateResult run();
    }

    /** True only when the gate ran and passed; an input error is a refusal, which is what fail-closed wants. */
    private static boolean passes(Evaluation evaluation) {
        try {
            JsonNode json = evaluation.run().toJson();
            return json.path("pass").asBoolean(false);
        } catch (InputException refused) {
            return false;
        }
    }
}
