package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.FailureClass;
import dev.day0.core.Precision;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a quantized checkpoint's validation summary: did the recipe cover the model's linear layers, did it leave
 * nothing unquantized that it should have quantized, did the metadata survive, and did the checkpoint get smaller.
 *
 * <p>Every problem is collected, so one run reports all of them; the failure class is the most fundamental one
 * (a model the recipe cannot cover at all outranks a size that did not shrink).
 */
public final class PtqGate {
    /** Size growth tolerated when the source already is as narrow as the target (scales add a little). */
    public static final double WAIVABLE_GROWTH = 1.10;

    private static final String UNEXPECTED_KEY = "unexpected_unquantized";

    /**
     * Evaluates a validation summary.
     *
     * @param summary the validation summary document
     * @param source its file name, for messages
     * @param recipeOverride the {@code --recipe} value, or null to use the summary's
     */
    public GateResult evaluate(JsonNode summary, String source, String recipeOverride) {
        ObjectNode doc = new Fields(source).requireObject(summary, "");
        Map<FailureClass, List<String>> problems = new EnumMap<>(FailureClass.class);
        List<String> notes = new ArrayList<>();
        ObjectNode checks = Json.object();

        if (doc.isEmpty()) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": the validation summary is empty");
            return result(problems, checks, notes);
        }

        Optional<Precision> target = target(doc, source, recipeOverride, problems);
        checkSize(doc, source, target, problems, notes, checks);
        checkCoverage(doc, source, target, problems, checks);
        checkMetadata(doc, source, problems, checks);
        return result(problems, checks, notes);
    }

    /**
     * Evaluates a validation summary for a chain whose recipe is fixed (a release plan's): where {@code --recipe}
     * overrides the summary's, here a summary that declares another recipe fails USER_CONFIG_ERROR, since its
     * checkpoint was not made by the recipe being released.
     */
    public GateResult evaluateForRecipe(JsonNode summary, String source, String recipe) {
        GateResult result = evaluate(summary, source, recipe);
        JsonNode declared = summary.path("recipe");
        if (result.pass() && declared.isTextual() && !declared.textValue().trim().equalsIgnoreCase(recipe)) {
            return new GateResult("ptq", false, null, FailureClass.USER_CONFIG_ERROR, source + ": recipe: \""
                    + declared.textValue() + "\" is not the plan's recipe \"" + recipe + "\"",
                    (ObjectNode) result.body());
        }
        return result;
    }

    private static Optional<Precision> target(ObjectNode doc, String source, String recipeOverride,
                                              Map<FailureClass, List<String>> problems) {
        String recipe = recipeOverride;
        String where = "--recipe";
        if (recipe == null) {
            JsonNode node = doc.get("recipe");
            where = source + ": recipe";
            if (node == null || node.isNull()) {
                add(problems, FailureClass.USER_CONFIG_ERROR, where + ": is missing (or pass --recipe)");
                return Optional.empty();
            }
            if (!node.isTextual()) {
                add(problems, FailureClass.USER_CONFIG_ERROR, where + ": must be a string, found "
                        + Fields.describe(node));
                return Optional.empty();
            }
            recipe = node.textValue();
        }
        Optional<Precision> target = Precision.ofRecipe(recipe);
        if (target.isEmpty()) {
            add(problems, FailureClass.USER_CONFIG_ERROR, where + ": unknown recipe \"" + recipe
                    + "\" (known: " + Precision.knownRecipes() + "); size reported but not judged");
        }
        return target;
    }

    private static void checkSize(ObjectNode doc, String source, Optional<Precision> target,
                                  Map<FailureClass, List<String>> problems, List<String> notes, ObjectNode checks) {
        ObjectNode size = checks.putObject("size");
        checkWaiverFields(doc, source, problems);
        Double sourceBytes = positiveSize(doc, "source_bytes", source, problems);
        Double outputBytes = positiveSize(doc, "output_bytes", source, problems);
        size.set("source_bytes", Fields.echo(doc.get("source_bytes")));
        size.set("output_bytes", Fields.echo(doc.get("output_bytes")));
        if (sourceBytes == null || outputBytes == null) {
            size.putNull("ratio");
            size.put("judged", false);
            size.put("ok", false);
            return;
        }
        double ratio = outputBytes / sourceBytes;
        if (!Double.isFinite(ratio) || !(ratio > 0)) {
            size.putNull("ratio");
            size.put("judged", false);
            size.put("ok", false);
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": output_bytes / source_bytes: the size ratio "
                    + "of " + Numbers.plain(outputBytes) + " to " + Numbers.plain(sourceBytes) + " bytes is not a "
                    + "finite positive number");
            return;
        }
        size.put("ratio", Decimals.round(ratio, 4));
        if (target.isEmpty()) {
            size.put("judged", false);
            size.put("ok", false);
            return;
        }
        size.put("judged", true);
        if (ratio < 1.0) {
            size.put("ok", true);
            return;
        }
        String waiver = waiver(doc, source, target.get(), ratio, problems);
        if (waiver != null) {
            size.put("ok", true);
            size.put("waived", true);
            notes.add(waiver);
            return;
        }
        size.put("ok", false);
        add(problems, FailureClass.SIZE_NOT_REDUCED, "output is " + Numbers.fixed(ratio, 4)
                + "x the source size (" + Numbers.plain(outputBytes) + " of " + Numbers.plain(sourceBytes)
                + " bytes): not reduced");
    }

    private static String waiver(ObjectNode doc, String source, Precision target, double ratio,
                                 Map<FailureClass, List<String>> problems) {
        JsonNode accept = doc.get("accept_size_growth");
        if (accept != null && accept.isBoolean() && accept.booleanValue()) {
            return "size growth to " + Numbers.fixed(ratio, 4) + "x accepted: accept_size_growth is true";
        }
        JsonNode sourcePrecision = doc.get("source_precision");
        if (sourcePrecision == null || sourcePrecision.isNull()) {
            return null;
        }
        Optional<Precision> from = sourcePrecision.isTextual() ? Precision.parse(sourcePrecision.textValue())
                : Optional.empty();
        if (from.isEmpty()) {
            return null;
        }
        if (from.get().bits() <= target.bits() && ratio <= WAIVABLE_GROWTH) {
            return "size growth to " + Numbers.fixed(ratio, 4) + "x waived: the source is already "
                    + from.get() + " (" + from.get().bits() + " bits), no wider than the " + target
                    + " target, and growth is within " + Numbers.fixed(WAIVABLE_GROWTH, 2) + "x";
        }
        return null;
    }

    /** The waiver's fields are checked whether or not the size grew: a malformed field is never silently unused. */
    private static void checkWaiverFields(ObjectNode doc, String source, Map<FailureClass, List<String>> problems) {
        JsonNode accept = doc.get("accept_size_growth");
        if (accept != null && !accept.isNull() && !accept.isBoolean()) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": accept_size_growth: must be true or false, found "
                    + Fields.describe(accept));
        }
        JsonNode sourcePrecision = doc.get("source_precision");
        if (sourcePrecision != null && !sourcePrecision.isNull() && (!sourcePrecision.isTextual()
                || Precision.parse(sourcePrecision.textValue()).isEmpty())) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": source_precision: not a known precision: "
                    + Fields.describe(sourcePrecision));
        }
    }

    private static Double positiveSize(ObjectNode doc, String name, String source,
                                       Map<FailureClass, List<String>> problems) {
        JsonNode node = doc.get(name);
        Double value = Fields.finiteNumber(node);
        if (value == null || value <= 0) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": " + name
                    + ": must be a positive finite number, found " + Fields.describe(node));
            return null;
        }
        return value;
    }

    private static void checkCoverage(ObjectNode doc, String source, Optional<Precision> target,
                                      Map<FailureClass, List<String>> problems, ObjectNode checks) {
        ObjectNode coverage = checks.putObject("coverage");
        coverage.put("target_precision", target.map(Enum::name).orElse(null));
        JsonNode countsNode = doc.get("layer_precision_counts");
        if (countsNode == null || !countsNode.isObject()) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": layer_precision_counts: must be an object of "
                    + "counts, found " + Fields.describe(countsNode));
            coverage.put("ok", false);
            return;
        }
        ObjectNode counts = coverage.putObject("counts");
        long covered = 0;
        long unexpected = 0;
        long mismatched = 0;
        boolean countsValid = true;
        Iterator<Map.Entry<String, JsonNode>> it = countsNode.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            Long count = Fields.wholeNumber(entry.getValue());
            if (count == null || count < 0) {
                add(problems, FailureClass.USER_CONFIG_ERROR, source + ": layer_precision_counts." + entry.getKey()
                        + ": must be a non-negative whole number, found " + Fields.describe(entry.getValue()));
                countsValid = false;
                continue;
            }
            String key = Precision.normalizeKey(entry.getKey());
            try {
                // Look-alike keys (UNEXPECTED-UNQUANTIZED) add up: a sum that wraps would read as "none left".
                counts.put(key, Math.addExact(counts.path(key).asLong(0), count));
                if (UNEXPECTED_KEY.equals(key)) {
                    unexpected = Math.addExact(unexpected, count);
                } else if ("declaration_mismatch".equals(key)) {
                    mismatched = Math.addExact(mismatched, count);
                } else if (target.isPresent() && Precision.parse(key).filter(target.get()::equals).isPresent()) {
                    covered = Math.addExact(covered, count);
                }
            } catch (ArithmeticException e) {
                add(problems, FailureClass.USER_CONFIG_ERROR, source + ": layer_precision_counts." + entry.getKey()
                        + ": the counts of " + key + " add up to more than " + Long.MAX_VALUE
                        + " layers: not a count");
                countsValid = false;
            }
        }
        coverage.put("covered", covered);
        coverage.put("unexpected_unquantized", unexpected);
        coverage.put("declaration_mismatch", mismatched);
        if (target.isEmpty() || !countsValid) {
            coverage.put("ok", false);
            return;
        }
        boolean ok = true;
        if (covered == 0) {
            add(problems, FailureClass.MODEL_UNSUPPORTED, "no layer was quantized to " + target.get()
                    + ": the recipe does not cover this model");
            ok = false;
        }
        if (unexpected > 0) {
            add(problems, FailureClass.QUANT_COVERAGE_FAILURE, unexpected
                    + " layers left unquantized that the recipe should have quantized");
            ok = false;
        }
        if (mismatched > 0) {
            add(problems, FailureClass.QUANT_COVERAGE_FAILURE, mismatched
                    + " layers contradict the checkpoint's quantization declaration");
            ok = false;
        }
        coverage.put("ok", ok);
    }

    private static void checkMetadata(ObjectNode doc, String source, Map<FailureClass, List<String>> problems,
                                      ObjectNode checks) {
        ObjectNode metadata = checks.putObject("metadata");
        JsonNode diffs = doc.get("metadata_diffs");
        ArrayNode list = metadata.putArray("diffs");
        if (diffs == null || diffs.isNull()) {
            metadata.put("ok", true);
            return;
        }
        if (!diffs.isArray()) {
            add(problems, FailureClass.USER_CONFIG_ERROR, source + ": metadata_diffs: must be a list of strings, found "
                    + Fields.describe(diffs));
            metadata.put("ok", false);
            return;
        }
        boolean valid = true;
        for (int i = 0; i < diffs.size(); i++) {
            JsonNode item = diffs.get(i);
            if (!item.isTextual()) {
                add(problems, FailureClass.USER_CONFIG_ERROR, source + ": metadata_diffs[" + i
                        + "]: must be a string, found " + Fields.describe(item));
                valid = false;
            } else {
                list.add(item.textValue());
            }
        }
        if (list.size() > 0) {
            add(problems, FailureClass.QUANT_COVERAGE_FAILURE, "metadata differs from the source: "
                    + joinTexts(list));
        }
        metadata.put("ok", valid && list.size() == 0);
    }

    private static String joinTexts(ArrayNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(item -> texts.add(item.textValue()));
        return String.join("; ", texts);
    }

    private static GateResult result(Map<FailureClass, List<String>> problems, ObjectNode checks,
                                     List<String> notes) {
        ObjectNode body = Json.object();
        body.set("checks", checks);
        body.set("notes", Json.strings(notes));
        if (problems.isEmpty()) {
            return new GateResult("ptq", true, null, null, "coverage, metadata and size checks passed", body);
        }
        List<String> messages = new ArrayList<>();
        FailureClass first = null;
        for (FailureClass failureClass : List.of(FailureClass.MODEL_UNSUPPORTED, FailureClass.QUANT_COVERAGE_FAILURE,
                FailureClass.SIZE_NOT_REDUCED, FailureClass.USER_CONFIG_ERROR)) {
            List<String> found = problems.get(failureClass);
            if (found != null) {
                first = first == null ? failureClass : first;
                messages.addAll(found);
            }
        }
        return new GateResult("ptq", false, null, first, String.join("; ", messages), body);
    }

    private static void add(Map<FailureClass, List<String>> problems, FailureClass failureClass, String message) {
        problems.computeIfAbsent(failureClass, key -> new ArrayList<>()).add(message);
    }
}
