package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code day0 inspect checkpoint}: turns a source checkpoint and its quantized output into the validation summary
 * that {@code day0 gate ptq} judges, plus a per-layer table for the report. Reads safetensors headers and small
 * metadata files only; tensor data is never read.
 */
public final class CheckpointInspector {
    private static final int EXAMPLES = 5;

    /** The validation summary and the per-layer table. */
    public record Inspection(ObjectNode summary, ObjectNode layers, long bytesRead) {
    }

    private CheckpointInspector() {
    }

    /**
     * Inspects {@code output} (quantized with {@code recipe}) against {@code source}.
     *
     * @throws InputException for an unknown recipe or an unusable checkpoint
     */
    public static Inspection inspect(Path source, Path output, String recipe) {
        Precision target = Precision.ofRecipe(recipe).orElseThrow(() -> new InputException("--recipe", "",
                "unknown recipe \"" + recipe + "\" (known: " + Precision.knownRecipes() + ")"));
        String recipeName = recipe.trim().toLowerCase(Locale.ROOT);
        Checkpoint sourceCheckpoint = Checkpoint.open(source, "--source");
        Checkpoint outputCheckpoint = Checkpoint.open(output, "--output");
        QuantDeclaration declaration = QuantDeclaration.read(output);
        QuantDeclaration sourceDeclaration = QuantDeclaration.read(source);
        MetadataDiff metadata = MetadataDiff.compare(source, output);

        LayerClassifier classifier = new LayerClassifier(outputCheckpoint, sourceCheckpoint, declaration, recipeName);
        List<LayerClassifier.Layer> layers = classifier.classify();

        List<String> blocking = new ArrayList<>(metadata.blocking());
        blocking.addAll(declaration.problems());
        List<String> notes = new ArrayList<>(declaration.notes());
        notes.addAll(sourceCheckpoint.notes());
        notes.addAll(outputCheckpoint.notes());
        checkDeclaredPrecision(declaration, target, recipeName, blocking);
        checkLayerSets(sourceCheckpoint, outputCheckpoint, blocking);
        checkKvCache(declaration, outputCheckpoint, blocking, notes);
        fusedNote(layers, notes);
        List<LayerClassifier.Layer> outside = classifier.outsideRecipeScope(layers);
        if (!outside.isEmpty()) {
            blocking.add(outside.size() + " layers quantized outside recipe " + recipeName + "'s scope (e.g. "
                    + examples(outside.stream().map(LayerClassifier.Layer::module).toList()) + ")");
        }

        long bytesRead = sourceCheckpoint.bytesRead() + outputCheckpoint.bytesRead() + metadata.bytesRead();
        ObjectNode summary = Json.object();
        summary.put("recipe", recipeName);
        summary.put("target_precision", target.name());
        summary.put("source_bytes", sourceCheckpoint.safetensorsBytes());
        summary.put("output_bytes", outputCheckpoint.safetensorsBytes());
        Precision sourcePrecision = sourcePrecision(source, sourceDeclaration);
        if (sourcePrecision != null) {
            summary.put("source_precision", sourcePrecision.name());
        }
        summary.set("layer_precision_counts", counts(layers, target));
        summary.set("metadata_diffs", Json.strings(blocking));
        summary.set("expected_metadata_diffs", Json.strings(metadata.expected()));
        summary.set("quantization", declaration.toJson());
        summary.set("problem_layers", problemLayers(layers));
        ObjectNode checkpoints = summary.putObject("checkpoints");
        describe(checkpoints.putObject("source"), sourceCheckpoint);
        describe(checkpoints.putObject("output"), outputCheckpoint);
        summary.put("bytes_read", bytesRead);
        summary.set("notes", Json.strings(notes));

        ObjectNode table = Json.object();
        table.put("recipe", recipeName);
        table.put("output", output.toString());
        ArrayNode rows = table.putArray("layers");
        for (LayerClassifier.Layer layer : layers) {
            ObjectNode row = rows.addObject();
            row.put("module", layer.module());
            row.put("shard", layer.shard());
            row.put("dtype", layer.dtype());
            row.put("shape", layer.shape());
            row.put("stored_as", layer.stored());
            row.put("class", layer.layerClass());
            row.put("reason", layer.reason());
            if (layer.fusedExperts() > 0) {
                row.put("fused_experts", layer.fusedExperts());
            }
        }
        return new Inspection(summary, table, bytesRead);
    }

    /**
     * The counts the ptq gate reads: the target precision, excluded, unexpected_unquantized and
     * declaration_mismatch (always present, zero included), and any other precision seen.
     */
    private static ObjectNode counts(List<LayerClassifier.Layer> layers, Precision target) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put(target.name(), 0L);
        counts.put(LayerClassifier.EXCLUDED, 0L);
        counts.put(LayerClassifier.UNEXPECTED_UNQUANTIZED, 0L);
        counts.put(LayerClassifier.DECLARATION_MISMATCH, 0L);
        for (LayerClassifier.Layer layer : layers) {
            counts.merge(layer.layerClass(), layer.count(), Long::sum);
        }
        ObjectNode json = Json.object();
        counts.forEach(json::put);
        return json;
    }

    /** Says how fused expert tensors were counted, since the counts then exceed the rows of the layer table. */
    private static void fusedNote(List<LayerClassifier.Layer> layers, List<String> notes) {
        long tensors = 0;
        long experts = 0;
        for (LayerClassifier.Layer layer : layers) {
            if (layer.fusedExperts() > 0) {
                tensors++;
                experts += layer.fusedExperts();
            }
        }
        if (tensors > 0) {
            notes.add(tensors + " fused expert tensors hold " + experts + " expert linear layers (fused: one tensor "
                    + "per projection of all experts of a layer); each is counted as the experts it holds");
        }
    }

    /** The layers behind a failing count, a few per class, so the summary alone explains the verdict. */
    private static ObjectNode problemLayers(List<LayerClassifier.Layer> layers) {
        ObjectNode json = Json.object();
        for (String layerClass : List.of(LayerClassifier.UNEXPECTED_UNQUANTIZED,
                LayerClassifier.DECLARATION_MISMATCH)) {
            ArrayNode list = Json.array();
            for (LayerClassifier.Layer layer : layers) {
                if (layer.layerClass().equals(layerClass) && list.size() < EXAMPLES) {
                    list.add(layer.module() + ": " + layer.reason());
                }
            }
            if (!list.isEmpty()) {
                json.set(layerClass, list);
            }
        }
        return json;
    }

    private static void checkDeclaredPrecision(QuantDeclaration declaration, Precision target, String recipe,
                                               List<String> blocking) {
        if (declaration.precision() != null && declaration.precision() != target) {
            blocking.add("the checkpoint declares " + declaration.precision().name() + " (" + declaration.algo()
                    + ") but recipe " + recipe + " produces " + target.name());
        }
        // The INT4 recipes name their method: a GPTQ export released as int4_awq (or the reverse) was not made by
        // the recipe being released, though both store INT4.
        String method = declaration.int4Method();
        String recipeMethod = recipe.equals("int4_awq") ? "awq" : recipe.equals("int4_gptq") ? "gptq" : null;
        if (method != null && recipeMethod != null && !method.equals(recipeMethod)) {
            blocking.add("the checkpoint declares " + method.toUpperCase(Locale.ROOT) + " (" + declaration.algo()
                    + ") but recipe " + recipe + " is " + recipeMethod.toUpperCase(Locale.ROOT) + ": judge it with "
                    + "--recipe int4_" + method + ", or re-export it with " + recipeMethod.toUpperCase(Locale.ROOT));
        }
    }

    private static void checkLayerSets(Checkpoint source, Checkpoint output, List<String> blocking) {
        Set<String> sourceLayers = LayerClassifier.linearLayers(source).keySet();
        Set<String> outputLayers = LayerClassifier.linearLayers(output).keySet();
        List<String> missing = sortedDifference(sourceLayers, outputLayers);
        List<String> added = sortedDifference(outputLayers, sourceLayers);
        if (!missing.isEmpty()) {
            blocking.add(missing.size() + " linear layers of the source are missing from the output (e.g. "
                    + examples(missing) + ")");
        }
        if (!added.isEmpty()) {
            blocking.add(added.size() + " linear layers of the output are not in the source (e.g. "
                    + examples(added) + ")");
        }
    }

    /**
     * The names in {@code these} but not in {@code those}, sorted. Tens of thousands of layer names share long
     * prefixes, so only the difference (empty for a sound export) is sorted, not both sets.
     */
    private static List<String> sortedDifference(Set<String> these, Set<String> those) {
        List<String> difference = new ArrayList<>();
        for (String name : these) {
            if (!those.contains(name)) {
                difference.add(name);
            }
        }
        Collections.sort(difference);
        return difference;
    }

    /**
     * Whether {@code name} ends in {@code .k_scale} or {@code .v_scale}. Asked of every tensor of the output, so
     * the two characters that tell a KV scale from the many {@code weight_scale}s are looked at first.
     */
    private static boolean isKvScale(String name) {
        int n = name.length();
        if (n < 8 || name.charAt(n - 8) != '.') {
            return false;
        }
        char kind = name.charAt(n - 7);
        return (kind == 'k' || kind == 'v') && name.endsWith("_scale");
    }

    private static void checkKvCache(QuantDeclaration declaration, Checkpoint output, List<String> blocking,
                                     List<String> notes) {
        long kvScales = 0;
        for (String name : output.tensors().keySet()) {
            if (isKvScale(name)) {
                kvScales++;
            }
        }
        if (declaration.kvCache() != null && kvScales == 0) {
            blocking.add("the KV cache is declared " + declaration.kvCache()
                    + " but the output has no k_scale/v_scale tensors");
        } else if (declaration.kvCache() == null && kvScales > 0) {
            notes.add("the output has " + kvScales + " k_scale/v_scale tensors but declares no KV-cache "
                    + "quantization");
        }
    }

    /**
     * The width of the source weights: its own quantization when it has one (an FP8 source), else config.json's
     * {@code torch_dtype} (or {@code dtype} in newer Transformers), when that names a known precision.
     */
    private static Precision sourcePrecision(Path source, QuantDeclaration sourceDeclaration) {
        if (sourceDeclaration.precision() != null) {
            return sourceDeclaration.precision();
        }
        Path config = source.resolve(QuantDeclaration.CONFIG_FILE);
        if (!Files.isRegularFile(config)) {
            return null;
        }
        JsonNode root = Json.read(config);
        for (JsonNode holder : List.of(root, root.path("text_config"))) {
            for (String key : List.of("torch_dtype", "dtype")) {
                JsonNode value = holder.get(key);
                if (value != null && value.isTextual()) {
                    Precision precision = Precision.parse(value.textValue().replace("torch.", "")).orElse(null);
                    if (precision != null) {
                        return precision;
                    }
                }
            }
        }
        return null;
    }

    private static void describe(ObjectNode json, Checkpoint checkpoint) {
        json.put("dir", checkpoint.dir().toString());
        json.put("shards", checkpoint.shards().size());
        json.put("tensors", checkpoint.tensors().size());
        Map<String, TensorInfo> linear = LayerClassifier.linearLayers(checkpoint);
        long fused = linear.values().stream().filter(tensor -> LayerClassifier.fusedExperts(tensor) > 0).count();
        long layerCount = linear.values().stream().mapToLong(t -> Math.max(1, LayerClassifier.fusedExperts(t))).sum();
        json.put("linear_layers", layerCount);
        if (fused > 0) {
            json.put("fused_expert_tensors", fused);
        }
        json.put("safetensors_bytes", checkpoint.safetensorsBytes());
    }

    private static String examples(List<String> names) {
        List<String> shown = names.subList(0, Math.min(EXAMPLES, names.size()));
        return String.join(", ", shown) + (names.size() > EXAMPLES ? ", ..." : "");
    }
}
