package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.publish.CheckpointFingerprint;
import dev.day0.triage.Decision;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The ladder's decision from its candidates' outcomes. {@code first}: the first candidate that ACCEPTs.
 * {@code frontier}: of those that ACCEPT, the smallest checkpoint (lowest size ratio; the earlier on a tie). None:
 * REGRESSION naming the closest candidate (smallest worst-task drop), or INFEASIBLE when no candidate was feasible.
 * A candidate that stopped the ladder (SYSTEMIC, NEEDS_HUMAN, ANOMALOUS, a stopped run), the budget or a signal
 * decides it.
 */
record LadderDecision(Decision decision, String failureClass, String detail, boolean resumable, String mode,
                      ObjectNode chosen, ObjectNode closest, List<ObjectNode> candidates) {

    static LadderDecision decide(LadderPlan plan, List<ObjectNode> entries, Decision stopDecision, String stop) {
        String mode = plan.mode().word();
        if (stopDecision != null) {
            ObjectNode stopper = entries.stream().filter(e -> e.path("started").asBoolean(false))
                    .filter(e -> stopDecision.name().equals(e.path("decision").asText()))
                    .reduce((a, b) -> b).orElse(null);
            // The ladder itself stopped (the budget, a signal) rather than a candidate's own verdict: resumable.
            boolean ladderStopped = stopper == null || entries.stream().anyMatch(e -> "not started".equals(
                    e.path("status").asText()));
            String failureClass = ladderStopped ? null : text(stopper.get("failure_class"));
            boolean resumable = ladderStopped || stopper.path("resumable").asBoolean(false);
            return new LadderDecision(stopDecision, failureClass, stop, resumable, mode, null, null, entries);
        }
        List<ObjectNode> ran = entries.stream().filter(e -> e.hasNonNull("decision")).toList();
        List<ObjectNode> accepted = ran.stream().filter(e -> "ACCEPT".equals(e.path("decision").asText())).toList();
        if (!accepted.isEmpty()) {
            ObjectNode pick = plan.mode() == LadderPlan.Mode.FIRST ? accepted.get(0) : accepted.stream()
                    .min(Comparator.comparingDouble(LadderDecision::sizeRatio)
                            .thenComparingInt(e -> e.path("index").asInt())).orElseThrow();
            ObjectNode chosen = point(pick);
            String checkpoint = text(pick.get("checkpoint"));
            if (checkpoint != null) {
                chosen.put("checkpoint", checkpoint);
                String fingerprint = fingerprint(Path.of(checkpoint));
                if (fingerprint != null) {
                    chosen.put("fingerprint", fingerprint);
                }
            }
            String why = plan.mode() == LadderPlan.Mode.FIRST ? "the first candidate that ACCEPTs"
                    : "the smallest checkpoint of the " + accepted.size() + " that ACCEPT";
            String detail = "candidate " + pick.path("index").asInt() + " (" + pick.path("name").asText()
                    + ", recipe " + pick.path("recipe").asText() + ") is " + why + ": " + describe(pick);
            return new LadderDecision(Decision.ACCEPT, null, detail, false, mode, chosen, null, entries);
        }
        List<ObjectNode> regressed = ran.stream().filter(e -> "REGRESSION".equals(e.path("decision").asText()))
                .toList();
        if (!regressed.isEmpty()) {
            ObjectNode nearest = regressed.stream().min(Comparator.comparingDouble(LadderDecision::worstDrop)
                    .thenComparingInt(e -> e.path("index").asInt())).orElseThrow();
            String detail = "no candidate ACCEPTs (" + ran.size() + " tried); the closest is candidate "
                    + nearest.path("index").asInt() + " (" + nearest.path("name").asText() + ", recipe "
                    + nearest.path("recipe").asText() + "): " + describe(nearest);
            return new LadderDecision(Decision.REGRESSION, null, detail, false, mode, null, point(nearest),
                    entries);
        }
        if (!ran.isEmpty()) {
            StringBuilder detail = new StringBuilder("no candidate was feasible:");
            for (ObjectNode e : ran) {
                detail.append(' ').append(e.path("name").asText()).append(' ').append(e.path("decision").asText());
                if (e.hasNonNull("failure_class")) {
                    detail.append(" (").append(e.path("failure_class").asText()).append(')');
                }
                detail.append(';');
            }
            detail.setLength(detail.length() - 1);
            return new LadderDecision(Decision.INFEASIBLE, null, detail.toString(), false, mode, null, null,
                    entries);
        }
        return new LadderDecision(Decision.NEEDS_HUMAN, null, "no candidate ran", true, mode, null, null, entries);
    }

    private static ObjectNode point(ObjectNode entry) {
        ObjectNode point = Json.object();
        point.put("index", entry.path("index").asInt());
        point.put("name", entry.path("name").asText());
        point.put("recipe", entry.path("recipe").asText());
        point.set("size_ratio", entry.get("size_ratio"));
        point.set("worst_drop", entry.get("worst_drop"));
        point.set("worst_task", entry.get("worst_task"));
        return point;
    }

    static String describe(JsonNode entry) {
        String size = entry.path("size_ratio").isNumber() ? String.format(Locale.ROOT, "size ratio %.4f",
                entry.path("size_ratio").doubleValue()) : "size ratio unknown";
        String drop = entry.path("worst_drop").isNumber() ? String.format(Locale.ROOT,
                "worst drop %.2f points on %s", entry.path("worst_drop").doubleValue() * 100,
                entry.path("worst_task").asText()) : "no compare";
        return size + ", " + drop;
    }

    private static double sizeRatio(JsonNode entry) {
        return entry.path("size_ratio").isNumber() ? entry.path("size_ratio").doubleValue()
                : Double.POSITIVE_INFINITY;
    }

    private static double worstDrop(JsonNode entry) {
        return entry.path("worst_drop").isNumber() ? entry.path("worst_drop").doubleValue()
                : Double.POSITIVE_INFINITY;
    }

    private static String fingerprint(Path checkpoint) {
        try {
            return CheckpointFingerprint.of(checkpoint).digest();
        } catch (InputException | UncheckedIOException e) {
            return null;
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("decision", decision.name());
        json.put("publish_recommendation", decision.publishRecommendation());
        json.put("failure_class", failureClass);
        json.put("detail", detail);
        json.put("resumable", resumable);
        json.put("mode", mode);
        json.set("chosen", chosen);
        json.set("closest", closest);
        var list = json.putArray("candidates");
        candidates.forEach(entry -> list.add(entry.deepCopy()));
        return json;
    }
}
