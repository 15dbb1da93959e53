package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads the files a quantizing exporter writes into a {@link QuantDeclaration}: ModelOpt's
 * {@code hf_quant_config.json} and {@code config.json}'s {@code quantization_config} (or {@code compression_config})
 * from ModelOpt, compressed-tensors and the Transformers integrations. Each format's fields are mapped here once, so
 * the declaration itself only answers what a module is expected to be.
 */
final class QuantDeclarationReader {
    private QuantDeclarationReader() {
    }

    /** See {@link QuantDeclaration#read(Path)}. */
    static QuantDeclaration read(Path dir) {
        Path modelOptFile = dir.resolve(QuantDeclaration.MODELOPT_FILE);
        Path configFile = dir.resolve(QuantDeclaration.CONFIG_FILE);
        QuantDeclaration fromModelOpt = Files.isRegularFile(modelOptFile) ? fromHfQuantConfig(modelOptFile) : null;
        QuantDeclaration fromConfig = Files.isRegularFile(configFile) ? fromConfigJson(configFile) : null;
        if (fromModelOpt == null) {
            QuantDeclaration declared = fromConfig != null ? fromConfig : QuantDeclaration.none();
            Path autoGptqFile = dir.resolve(QuantDeclaration.AUTOGPTQ_FILE);
            return Files.isRegularFile(autoGptqFile) ? withAutoGptq(declared, autoGptqFile, configFile) : declared;
        }
        if (fromConfig == null || fromConfig.kind() == QuantDeclaration.Kind.NONE) {
            return fromModelOpt;
        }
        String left = fromModelOpt.algo();
        String right = fromConfig.algo();
        if (fromConfig.kind() != QuantDeclaration.Kind.MODELOPT || left == null || !left.equalsIgnoreCase(right)) {
            return fromModelOpt.withProblem(QuantDeclaration.MODELOPT_FILE + " declares " + fromModelOpt.describe()
                    + " but " + QuantDeclaration.CONFIG_FILE + " " + fromConfig.source() + " declares "
                    + fromConfig.describe());
        }
        return fromModelOpt;
    }

    /**
     * AutoGPTQ writes {@code quantize_config.json}, and exports made before Transformers' GPTQ integration have no
     * {@code quantization_config} in config.json at all. Transformers and vLLM's auto-detection read config.json
     * only, so such a checkpoint loads in neither as published: its layers are judged against the GPTQ
     * declaration it does carry, and the missing config.json section is a blocking problem with the fix. Next to a
     * config.json GPTQ section, the two must agree on the fields both carry; next to another method, the file is
     * a leftover the loaders ignore.
     */
    private static QuantDeclaration withAutoGptq(QuantDeclaration declared, Path file, Path configFile) {
        Fields fields = new Fields(file.toString());
        ObjectNode autoGptq = fields.requireObject(Json.read(file), "");
        if (declared.kind() == QuantDeclaration.Kind.NONE) {
            QuantDeclaration fromFile = autoGptqDeclaration(fields, autoGptq);
            return fromFile.withProblem(QuantDeclaration.CONFIG_FILE + " has no quantization_config, so "
                    + "Transformers and vLLM load this checkpoint as unquantized: its GPTQ declaration is only in "
                    + "AutoGPTQ's " + QuantDeclaration.AUTOGPTQ_FILE + ", which they do not read; copy that file's "
                    + "fields into config.json as quantization_config with \"quant_method\": \"gptq\"");
        }
        if (declared.kind() != QuantDeclaration.Kind.TRANSFORMERS || !"gptq".equalsIgnoreCase(declared.algo())) {
            return declared.withNote(QuantDeclaration.AUTOGPTQ_FILE + " (AutoGPTQ) is present, but "
                    + QuantDeclaration.CONFIG_FILE + " declares " + declared.describe()
                    + ", which is what loaders read; the file was not used");
        }
        ObjectNode section = (ObjectNode) Json.read(configFile).get("quantization_config");
        QuantDeclaration checked = declared;
        for (String field : List.of("bits", "group_size", "desc_act", "sym")) {
            JsonNode ours = autoGptq.get(field);
            JsonNode theirs = section == null ? null : section.get(field);
            if (ours != null && theirs != null && !sameValue(ours, theirs)) {
                checked = checked.withProblem(QuantDeclaration.AUTOGPTQ_FILE + " declares " + field + " "
                        + Json.writeLine(ours) + " but " + QuantDeclaration.CONFIG_FILE + " "
                        + "(quantization_config) declares " + Json.writeLine(theirs)
                        + ": the export's two declarations disagree; re-export the checkpoint");
            }
        }
        return checked;
    }

    /** Numbers compare by value ({@code 4} and {@code 4.0} are one bit width); everything else by equality. */
    private static boolean sameValue(JsonNode left, JsonNode right) {
        if (left.isNumber() && right.isNumber()) {
            return left.decimalValue().compareTo(right.decimalValue()) == 0;
        }
        return left.equals(right);
    }

    private static QuantDeclaration autoGptqDeclaration(Fields fields, ObjectNode section) {
        String method = fields.optionalString(section, "quant_method", "quant_method");
        if (method != null && !method.equalsIgnoreCase("gptq")) {
            DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.TRANSFORMERS,
                    QuantDeclaration.AUTOGPTQ_FILE);
            b.algo = method;
            b.problems.add(QuantDeclaration.AUTOGPTQ_FILE + ": quant_method \"" + method + "\" is not GPTQ, the only "
                    + "method AutoGPTQ writes this file for");
            return new QuantDeclaration(b);
        }
        DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.TRANSFORMERS,
                QuantDeclaration.AUTOGPTQ_FILE);
        b.algo = "gptq";
        b.producer = "AutoGPTQ";
        long bits = fields.optionalInteger(section, "bits", "bits").orElse(-1);
        OptionalLong groupSize = fields.optionalInteger(section, "group_size", "group_size");
        b.groupSize = groupSize.isPresent() ? groupSize.getAsLong() : null;
        b.precision = bits == 4 ? Precision.INT4 : bits == 8 ? Precision.INT8 : null;
        if (b.precision == null) {
            b.problems.add(QuantDeclaration.AUTOGPTQ_FILE + ": bits " + (bits < 0 ? "is missing" : bits + " is not "
                    + "4 or 8") + ": day0 judges 4- and 8-bit GPTQ exports only");
        }
        readBlockScope(b, fields, section, "");
        return new QuantDeclaration(b);
    }

    private static QuantDeclaration fromHfQuantConfig(Path file) {
        Fields fields = new Fields(file.toString());
        JsonNode root = fields.requireObject(Json.read(file), "");
        JsonNode quantization = fields.requireObject(root.get("quantization"), "quantization");
        DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.MODELOPT, QuantDeclaration.MODELOPT_FILE);
        JsonNode producer = root.get("producer");
        if (producer != null && producer.isObject()) {
            b.producer = fields.optionalString(producer, "name", "producer.name") + " "
                    + fields.optionalString(producer, "version", "producer.version");
        }
        readModelOpt(b, fields, quantization, "quantization.", "exclude_modules");
        return new QuantDeclaration(b);
    }

    private static void readModelOpt(DeclarationBuilder b, Fields fields, JsonNode section, String prefix, String excludeKey) {
        b.algo = fields.optionalString(section, "quant_algo", prefix + "quant_algo");
        b.kvCache = fields.optionalString(section, "kv_cache_quant_algo", prefix + "kv_cache_quant_algo");
        OptionalLong group = fields.optionalInteger(section, "group_size", prefix + "group_size");
        b.groupSize = group.isPresent() ? group.getAsLong() : null;
        b.addExcludes(fields, section, excludeKey, prefix + excludeKey);
        if (b.algo == null) {
            b.problems.add(b.source + ": " + prefix + "quant_algo is missing: the checkpoint does not say how it "
                    + "is quantized");
            return;
        }
        if ("MIXED_PRECISION".equalsIgnoreCase(b.algo)) {
            ObjectNode layers = fields.optionalObject(section, "quantized_layers", prefix + "quantized_layers");
            if (layers == null || layers.isEmpty()) {
                b.problems.add(b.source + ": " + prefix + "quantized_layers is missing or empty for MIXED_PRECISION");
                return;
            }
            Iterator<Map.Entry<String, JsonNode>> it = layers.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                String field = prefix + "quantized_layers." + entry.getKey();
                JsonNode layer = fields.requireObject(entry.getValue(), field);
                String layerAlgo = fields.requireString(layer, "quant_algo", field + ".quant_algo");
                Precision layerPrecision = modelOptPrecision(layerAlgo);
                if (layerPrecision == null) {
                    b.problems.add(b.source + ": " + field + ".quant_algo: unsupported algorithm \"" + layerAlgo
                            + "\"");
                }
                b.perLayer.put(entry.getKey(), layerPrecision);
            }
            return;
        }
        b.precision = modelOptPrecision(b.algo);
        if (b.precision == null) {
            b.problems.add(b.source + ": " + prefix + "quant_algo: unsupported algorithm \"" + b.algo + "\"");
        }
    }

    private static QuantDeclaration fromConfigJson(Path file) {
        Fields fields = new Fields(file.toString());
        JsonNode root = fields.requireObject(Json.read(file), "");
        String key = root.hasNonNull("quantization_config") ? "quantization_config"
                : root.hasNonNull("compression_config") ? "compression_config" : null;
        if (key == null) {
            return QuantDeclaration.none();
        }
        ObjectNode section = fields.requireObject(root.get(key), key);
        String method = fields.optionalString(section, "quant_method", key + ".quant_method");
        String where = "(" + key + ")";
        if ("modelopt".equalsIgnoreCase(method)) {
            DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.MODELOPT, where);
            readModelOpt(b, fields, section, key + ".", section.has("exclude_modules") ? "exclude_modules" : "ignore");
            return new QuantDeclaration(b);
        }
        if (method == null && section.has("config_groups") || "compressed-tensors".equalsIgnoreCase(method)) {
            return compressedTensors(fields, section, key, where);
        }
        return transformers(fields, section, key, where, method);
    }

    private static QuantDeclaration compressedTensors(Fields fields, ObjectNode section, String key, String where) {
        DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.COMPRESSED_TENSORS, where);
        String format = fields.optionalString(section, "format", key + ".format");
        b.algo = "compressed-tensors" + (format == null ? "" : " " + format);
        b.addExcludes(fields, section, "ignore", key + ".ignore");
        JsonNode kv = section.get("kv_cache_scheme");
        if (kv != null && kv.isObject()) {
            b.kvCache = ctPrecisionName(kv);
        }
        ObjectNode groups = fields.optionalObject(section, "config_groups", key + ".config_groups");
        if (groups == null || groups.isEmpty()) {
            if (section.hasNonNull("sparsity_config")) {
                b.notes.add(QuantDeclaration.CONFIG_FILE + " " + where + " declares sparsity only, no quantization");
            }
            b.kind = QuantDeclaration.Kind.NONE;
            b.algo = null;
            return new QuantDeclaration(b);
        }
        Iterator<Map.Entry<String, JsonNode>> it = groups.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = key + ".config_groups." + entry.getKey();
            JsonNode group = fields.requireObject(entry.getValue(), field);
            List<ModulePattern> targets = b.patterns(fields, group, "targets", field + ".targets");
            JsonNode weights = group.get("weights");
            if (weights == null || weights.isNull()) {
                b.notes.add(field + " quantizes activations only; its layers keep unquantized weights");
                b.groups.add(new QuantDeclaration.Group(entry.getKey(), targets, null, null));
                continue;
            }
            fields.requireObject(weights, field + ".weights");
            long bits = fields.optionalInteger(weights, "num_bits", field + ".weights.num_bits").orElse(-1);
            String type = fields.optionalString(weights, "type", field + ".weights.type");
            OptionalLong groupSize = fields.optionalInteger(weights, "group_size", field + ".weights.group_size");
            Precision precision = ctPrecision(type, bits, groupSize.isPresent() ? groupSize.getAsLong() : null);
            if (precision == null) {
                b.problems.add(b.source + ": " + field + ".weights: unsupported scheme " + type + " with " + bits
                        + " bits");
            }
            b.groups.add(new QuantDeclaration.Group(entry.getKey(), targets, precision,
                    groupSize.isPresent() ? groupSize.getAsLong() : null));
        }
        Precision single = null;
        boolean uniform = true;
        for (QuantDeclaration.Group group : b.groups) {
            if (group.precision() != null) {
                uniform &= single == null || single == group.precision();
                single = single == null ? group.precision() : single;
            }
        }
        b.precision = uniform ? single : null;
        return new QuantDeclaration(b);
    }

    private static QuantDeclaration transformers(Fields fields, ObjectNode section, String key, String where,
                                                 String method) {
        DeclarationBuilder b = new DeclarationBuilder(QuantDeclaration.Kind.TRANSFORMERS, where);
        b.algo = method;
        String excludeField = key + ".modules_to_not_convert";
        List<String> excludeTexts = fields.optionalStringList(section, "modules_to_not_convert", excludeField);
        excludeTexts.forEach(text -> b.excludes.add(ModulePattern.transformersEntry(text)));
        String lower = method == null ? "" : method.toLowerCase(Locale.ROOT);
        long bits = fields.optionalInteger(section, "bits", key + ".bits").orElse(-1);
        OptionalLong groupSize = fields.optionalInteger(section, "group_size", key + ".group_size");
        b.groupSize = groupSize.isPresent() ? groupSize.getAsLong() : null;
        b.precision = switch (lower) {
            case "fp8" -> Precision.FP8;
            case "mxfp4" -> Precision.MXFP4;
            case "awq", "gptq" -> bits == 4 ? Precision.INT4 : bits == 8 ? Precision.INT8 : null;
            default -> null;
        };
        if (lower.equals("gptq") || lower.equals("awq")) {
            readBlockScope(b, fields, section, key + ".");
        }
        if (b.precision == null) {
            b.problems.add(QuantDeclaration.CONFIG_FILE + " " + where + ": unsupported quant_method \"" + method + "\""
                    + (bits > 0 ? " with " + bits + " bits" : ""));
        }
        return new QuantDeclaration(b);
    }

    /**
     * GPTQ ({@code block_name_to_quantize}, {@code modules_in_block_to_quantize}) names which decoder blocks it
     * quantized and which linear layers inside each block; without them it quantized every linear layer of the
     * decoder's blocks. AWQ writes neither: it always works block by block.
     */
    private static void readBlockScope(DeclarationBuilder b, Fields fields, ObjectNode section, String prefix) {
        JsonNode blocks = section.get("block_name_to_quantize");
        String blocksField = prefix + "block_name_to_quantize";
        if (blocks != null && blocks.isTextual()) {
            for (String name : blocks.textValue().split(",")) {
                if (!name.isBlank()) {
                    b.blockNames.add(name.trim());
                }
            }
        } else if (blocks != null && blocks.isArray()) {
            b.blockNames.addAll(fields.optionalStringList(section, "block_name_to_quantize", blocksField));
        } else if (blocks != null && !blocks.isNull()) {
            throw fields.error(blocksField, "must be a module name or a list of them, found "
                    + Fields.describe(blocks));
        }
        JsonNode inBlock = section.get("modules_in_block_to_quantize");
        String inBlockField = prefix + "modules_in_block_to_quantize";
        if (inBlock == null || inBlock.isNull()) {
            return;
        }
        if (!inBlock.isArray()) {
            throw fields.error(inBlockField, "must be a list of module-name lists, found " + Fields.describe(inBlock));
        }
        for (int i = 0; i < inBlock.size(); i++) {
            JsonNode item = inBlock.get(i);
            if (item.isTextual()) {
                b.inBlockModules.add(item.textValue());
            } else if (item.isArray()) {
                for (int j = 0; j < item.size(); j++) {
                    if (!item.get(j).isTextual()) {
                        throw fields.error(inBlockField + "[" + i + "][" + j + "]", "must be a module name, found "
                                + Fields.describe(item.get(j)));
                    }
                    b.inBlockModules.add(item.get(j).textValue());
                }
            } else {
                throw fields.error(inBlockField + "[" + i + "]", "must be a list of module names, found "
                        + Fields.describe(item));
            }
        }
    }

    /** The weight precision of a ModelOpt {@code quant_algo}, or null when day0 does not know it. */
    static Precision modelOptPrecision(String algo) {
        String key = algo.toUpperCase(Locale.ROOT);
        if (key.contains("NVFP4")) {
            return Precision.NVFP4;
        }
        if (key.contains("MXFP4")) {
            return Precision.MXFP4;
        }
        if (key.startsWith("MXFP8")) {
            return Precision.MXFP8;
        }
        if (key.startsWith("MXINT8")) {
            return Precision.MXINT8;
        }
        if (key.startsWith("FP8")) {
            return Precision.FP8;
        }
        if (key.startsWith("W4A") || key.startsWith("INT4")) {
            return Precision.INT4;
        }
        if (key.startsWith("W8A8") || key.startsWith("INT8")) {
            return Precision.INT8;
        }
        return null;
    }

    static Precision ctPrecision(String type, long bits) {
        return ctPrecision(type, bits, null);
    }

    /** compressed-tensors' 4-bit float groups of 32 are MXFP4 (its {@code mxfp4} preset); of 16, NVFP4. */
    static Precision ctPrecision(String type, long bits, Long groupSize) {
        if ("float".equals(type)) {
            if (bits == 4 && groupSize != null && groupSize == 32) {
                return Precision.MXFP4;
            }
            return bits == 8 ? Precision.FP8 : bits == 4 ? Precision.NVFP4 : null;
        }
        if ("int".equals(type)) {
            return bits == 4 ? Precision.INT4 : bits == 8 ? Precision.INT8 : null;
        }
        return null;
    }

    private static String ctPrecisionName(JsonNode scheme) {
        Precision precision = ctPrecision(scheme.path("type").asText(null), scheme.path("num_bits").asLong(-1));
        return precision == null ? Json.writeLine(scheme) : precision.name();
    }
}
