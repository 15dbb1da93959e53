package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a quantized checkpoint says about its own quantization, read from the files the exporters write:
 * ModelOpt's {@code hf_quant_config.json} ({@code quantization.quant_algo}, {@code exclude_modules},
 * {@code quantized_layers} for {@code MIXED_PRECISION}) and {@code config.json}'s {@code quantization_config}
 * (or the older key {@code compression_config}) from ModelOpt, compressed-tensors, or the Transformers FP8, AWQ
 * and GPTQ configs.
 *
 * <p>The declaration is what a serving engine will believe when it loads the checkpoint, so every linear layer
 * is checked against it: {@link #expect(String)} says whether the declaration wants a module quantized, and to
 * which precision.
 */
public final class QuantDeclaration {
    public static final String MODELOPT_FILE = "hf_quant_config.json";
    public static final String CONFIG_FILE = "config.json";

    /** Who wrote the declaration. */
    public enum Kind { NONE, MODELOPT, COMPRESSED_TENSORS, TRANSFORMERS }

    /** What the declaration expects of one module; {@code precision} null means "quantized, format unknown". */
    public record Expectation(boolean quantized, Precision precision, String reason) {
    }

    /** A compressed-tensors config group: which modules it targets and to what precision. */
    record Group(String name, List<ModulePattern> targets, Precision precision, Long groupSize) {
    }

    private final Kind kind;
    private final String source;
    private final String algo;
    private final Precision precision;
    private final List<ModulePattern> excludes;
    private final List<Group> groups;
    private final Map<String, Precision> perLayer;
    private final Long groupSize;
    private final String kvCache;
    private final List<String> blockNames;
    private final List<String> inBlockModules;
    private final List<String> problems;
    private final List<String> notes;
    private final ObjectNode summary;

    private QuantDeclaration(Builder b) {
        this.kind = b.kind;
        this.source = b.source;
        this.algo = b.algo;
        this.precision = b.precision;
        this.excludes = List.copyOf(b.excludes);
        this.groups = List.copyOf(b.groups);
        this.perLayer = Collections.unmodifiableMap(new LinkedHashMap<>(b.perLayer));
        this.groupSize = b.groupSize;
        this.kvCache = b.kvCache;
        this.blockNames = List.copyOf(b.blockNames);
        this.inBlockModules = List.copyOf(b.inBlockModules);
        this.problems = List.copyOf(b.problems);
        this.notes = List.copyOf(b.notes);
        this.summary = b.summary();
    }

    /**
     * Reads the declaration of the checkpoint in {@code dir}. A missing declaration is {@link Kind#NONE}; a
     * declaration with the wrong types is an {@link dev.day0.io.InputException} naming file and field; one that
     * is well-formed but unusable (an unknown algorithm, two files that disagree) is a blocking {@link #problems()}
     * entry.
     */
    public static QuantDeclaration read(Path dir) {
        Path modelOptFile = dir.resolve(MODELOPT_FILE);
        Path configFile = dir.resolve(CONFIG_FILE);
        QuantDeclaration fromModelOpt = Files.isRegularFile(modelOptFile) ? fromHfQuantConfig(modelOptFile) : null;
        QuantDeclaration fromConfig = Files.isRegularFile(configFile) ? fromConfigJson(configFile) : null;
        if (fromModelOpt == null) {
            return fromConfig != null ? fromConfig : none();
        }
        if (fromConfig == null || fromConfig.kind == Kind.NONE) {
            return fromModelOpt;
        }
        String left = fromModelOpt.algo;
        String right = fromConfig.algo;
        if (fromConfig.kind != Kind.MODELOPT || left == null || !left.equalsIgnoreCase(right)) {
            return fromModelOpt.withProblem(MODELOPT_FILE + " declares " + fromModelOpt.describe() + " but "
                    + CONFIG_FILE + " " + fromConfig.source + " declares " + fromConfig.describe());
        }
        return fromModelOpt;
    }

    static QuantDeclaration none() {
        Builder b = new Builder(Kind.NONE, "none");
        return new QuantDeclaration(b);
    }

    private static QuantDeclaration fromHfQuantConfig(Path file) {
        Fields fields = new Fields(file.toString());
        JsonNode root = fields.requireObject(Json.read(file), "");
        JsonNode quantization = fields.requireObject(root.get("quantization"), "quantization");
        Builder b = new Builder(Kind.MODELOPT, MODELOPT_FILE);
        JsonNode producer = root.get("producer");
        if (producer != null && producer.isObject()) {
            b.producer = fields.optionalString(producer, "name", "producer.name") + " "
                    + fields.optionalString(producer, "version", "producer.version");
        }
        readModelOpt(b, fields, quantization, "quantization.", "exclude_modules");
        return new QuantDeclaration(b);
    }

    private static void readModelOpt(Builder b, Fields fields, JsonNode section, String prefix, String excludeKey) {
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
            return none();
        }
        ObjectNode section = fields.requireObject(root.get(key), key);
        String method = fields.optionalString(section, "quant_method", key + ".quant_method");
        String where = "(" + key + ")";
        if ("modelopt".equalsIgnoreCase(method)) {
            Builder b = new Builder(Kind.MODELOPT, where);
            readModelOpt(b, fields, section, key + ".", section.has("exclude_modules") ? "exclude_modules" : "ignore");
            return new QuantDeclaration(b);
        }
        if (method == null && section.has("config_groups") || "compressed-tensors".equalsIgnoreCase(method)) {
            return compressedTensors(fields, section, key, where);
        }
        return transformers(fields, section, key, where, method);
    }

    private static QuantDeclaration compressedTensors(Fields fields, ObjectNode section, String key, String where) {
        Builder b = new Builder(Kind.COMPRESSED_TENSORS, where);
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
                b.notes.add(CONFIG_FILE + " " + where + " declares sparsity only, no quantization");
            }
            b.kind = Kind.NONE;
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
                b.groups.add(new Group(entry.getKey(), targets, null, null));
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
            b.groups.add(new Group(entry.getKey(), targets, precision,
                    groupSize.isPresent() ? groupSize.getAsLong() : null));
        }
        Precision single = null;
        boolean uniform = true;
        for (Group group : b.groups) {
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
        Builder b = new Builder(Kind.TRANSFORMERS, where);
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
            readBlockScope(b, fields, section, key);
        }
        if (b.precision == null) {
            b.problems.add(CONFIG_FILE + " " + where + ": unsupported quant_method \"" + method + "\""
                    + (bits > 0 ? " with " + bits + " bits" : ""));
        }
        return new QuantDeclaration(b);
    }

    /**
     * GPTQ ({@code block_name_to_quantize}, {@code modules_in_block_to_quantize}) names which decoder blocks it
     * quantized and which linear layers inside each block; without them it quantized every linear layer of the
     * decoder's blocks. AWQ writes neither: it always works block by block.
     */
    private static void readBlockScope(Builder b, Fields fields, ObjectNode section, String key) {
        JsonNode blocks = section.get("block_name_to_quantize");
        String blocksField = key + ".block_name_to_quantize";
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
        String inBlockField = key + ".modules_in_block_to_quantize";
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

    /**
     * What the declaration expects of {@code module}, or null when there is no declaration (the recipe decides).
     */
    public Expectation expect(String module) {
        if (kind == Kind.NONE) {
            return null;
        }
        for (ModulePattern exclude : excludes) {
            if (exclude.matches(module)) {
                return new Expectation(false, null, excludeKey() + " entry \"" + exclude.text() + "\"");
            }
        }
        if (kind == Kind.COMPRESSED_TENSORS) {
            for (Group group : groups) {
                for (ModulePattern target : group.targets()) {
                    if (target.matches(module)) {
                        return group.precision() == null
                                ? new Expectation(false, null, "config group " + group.name() + " quantizes "
                                        + "activations only")
                                : new Expectation(true, group.precision(), "config group " + group.name()
                                        + " target \"" + target.text() + "\"");
                    }
                }
            }
            return new Expectation(false, null, "no config group targets it");
        }
        if (kind == Kind.TRANSFORMERS) {
            Expectation scoped = transformersScope(module);
            if (scoped != null) {
                return scoped;
            }
        }
        if (!perLayer.isEmpty()) {
            for (Map.Entry<String, Precision> layer : perLayer.entrySet()) {
                if (ModulePattern.parse(layer.getKey()).matches(module)) {
                    return new Expectation(true, layer.getValue(), "quantized_layers entry \"" + layer.getKey()
                            + "\"");
                }
            }
            return new Expectation(false, null, "not in quantized_layers");
        }
        return new Expectation(true, precision, "quant_algo " + algo);
    }

    /**
     * What the Transformers integrations quantize by construction: GPTQ and AWQ only the linear layers inside the
     * decoder blocks (so {@code lm_head}, embeddings, projectors and vision towers stay 16-bit without being
     * listed anywhere), MXFP4 only the MoE expert weights. Null for the methods that convert every linear layer.
     */
    private Expectation transformersScope(String module) {
        String method = algo == null ? "" : algo.toLowerCase(Locale.ROOT);
        if (method.equals("mxfp4")) {
            return module.contains(".experts.") || module.startsWith("experts.")
                    ? new Expectation(true, precision, "quant_method mxfp4 quantizes the MoE expert weights")
                    : new Expectation(false, null, "quant_method mxfp4 quantizes only the MoE expert weights");
        }
        if (!method.equals("gptq") && !method.equals("awq")) {
            return null;
        }
        String label = method.toUpperCase(Locale.ROOT);
        String block = decoderBlock(module);
        if (block == null) {
            return new Expectation(false, null, label + " quantizes only the linear layers of the decoder blocks ("
                    + (blockNames.isEmpty() ? "none named; the decoder's numbered layers" : "block_name_to_quantize "
                    + String.join(", ", blockNames)) + "), and this layer is outside them");
        }
        if (!inBlockModules.isEmpty()) {
            String inside = module.substring(block.length() + 1);
            if (!inBlockModules.contains(inside)) {
                return new Expectation(false, null, "not in modules_in_block_to_quantize (" + inside + ")");
            }
            return new Expectation(true, precision, "modules_in_block_to_quantize entry \"" + inside + "\" of "
                    + block);
        }
        return new Expectation(true, precision, label + " quantizes every linear layer of decoder block " + block);
    }

    /**
     * The decoder block holding {@code module} ({@code model.layers.3}), or null. With {@code block_name_to_quantize}
     * the blocks are exactly those; otherwise the first numbered {@code layers}/{@code h}/{@code blocks} container
     * outside a vision tower, as GPTQ's own detection picks the decoder's layer list.
     */
    String decoderBlock(String module) {
        if (!blockNames.isEmpty()) {
            for (String name : blockNames) {
                if (module.startsWith(name + ".")) {
                    String rest = module.substring(name.length() + 1);
                    int dot = rest.indexOf('.');
                    String index = dot < 0 ? rest : rest.substring(0, dot);
                    if (!index.isEmpty() && index.chars().allMatch(Character::isDigit) && dot > 0) {
                        return name + "." + index;
                    }
                }
            }
            return null;
        }
        if (LayerClassifier.isVision(module)) {
            return null;
        }
        String[] segments = module.split("\\.");
        for (int i = 0; i + 2 < segments.length; i++) {
            boolean container = switch (segments[i]) {
                case "layers", "h", "blocks", "layer" -> true;
                default -> false;
            };
            if (container && !segments[i + 1].isEmpty() && segments[i + 1].chars().allMatch(Character::isDigit)) {
                return String.join(".", java.util.Arrays.copyOfRange(segments, 0, i + 2));
            }
        }
        return null;
    }

    /**
     * What a user can change when a layer contradicts the declaration: the exclude list the format has, or, for
     * GPTQ and AWQ, whose coverage follows from the method, the export itself.
     */
    public String unquantizedAdvice() {
        String method = algo == null ? "" : algo.toLowerCase(Locale.ROOT);
        if (kind == Kind.TRANSFORMERS && method.equals("gptq")) {
            return "GPTQ quantizes every linear layer of the decoder blocks it names, so the export is incomplete: "
                    + "re-run it (only modules_in_block_to_quantize can leave a decoder layer out)";
        }
        if (kind == Kind.TRANSFORMERS && method.equals("awq")) {
            return "AWQ quantizes every linear layer of the decoder blocks, so the export is incomplete: re-run it, "
                    + "or list the layer in quantization_config.modules_to_not_convert if it is meant to stay 16-bit";
        }
        return "re-run the export, or add the layer to " + excludeKey() + " if it is meant to stay unquantized";
    }

    /** The exclude list a user edits for this format, e.g. {@code exclude_modules}. */
    String excludeKey() {
        return switch (kind) {
            case MODELOPT -> "exclude_modules";
            case COMPRESSED_TENSORS -> "ignore";
            default -> "modules_to_not_convert";
        };
    }

    QuantDeclaration withProblem(String problem) {
        Builder b = new Builder(kind, source);
        b.algo = algo;
        b.precision = precision;
        b.excludes.addAll(excludes);
        b.groups.addAll(groups);
        b.perLayer.putAll(perLayer);
        b.groupSize = groupSize;
        b.kvCache = kvCache;
        b.blockNames.addAll(blockNames);
        b.inBlockModules.addAll(inBlockModules);
        b.problems.addAll(problems);
        b.problems.add(problem);
        b.notes.addAll(notes);
        b.producer = summary.path("producer").asText(null);
        return new QuantDeclaration(b);
    }

    public Kind kind() {
        return kind;
    }

    /** The declared algorithm as written ({@code NVFP4}, {@code W4A16_AWQ}, {@code compressed-tensors ...}). */
    public String algo() {
        return algo;
    }

    /** The one weight precision declared for every quantized layer, or null (none, mixed, or unknown). */
    public Precision precision() {
        return precision;
    }

    /** The declared group size for group-scaled formats, when one is declared for the whole checkpoint. */
    public Long groupSize() {
        return groupSize;
    }

    /** The group size declared for {@code module}'s config group (compressed-tensors) or the whole checkpoint. */
    public Long groupSizeFor(String module) {
        if (kind == Kind.COMPRESSED_TENSORS) {
            for (Group group : groups) {
                for (ModulePattern target : group.targets()) {
                    if (target.matches(module)) {
                        return group.groupSize();
                    }
                }
            }
            return null;
        }
        return groupSize;
    }

    /** The declared KV-cache quantization ({@code FP8}), or null when the KV cache is not quantized. */
    public String kvCache() {
        return kvCache;
    }

    /** Blocking problems with the declaration itself. */
    public List<String> problems() {
        return problems;
    }

    public List<String> notes() {
        return notes;
    }

    /** The declaration as the validation summary reports it. */
    public ObjectNode toJson() {
        return summary.deepCopy();
    }

    String describe() {
        return algo == null ? "no algorithm" : "\"" + algo + "\"";
    }

    private static final class Builder {
        Kind kind;
        final String source;
        String algo;
        Precision precision;
        final List<ModulePattern> excludes = new ArrayList<>();
        final List<Group> groups = new ArrayList<>();
        final Map<String, Precision> perLayer = new LinkedHashMap<>();
        Long groupSize;
        String kvCache;
        final List<String> blockNames = new ArrayList<>();
        final List<String> inBlockModules = new ArrayList<>();
        String producer;
        final List<String> problems = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Builder(Kind kind, String source) {
            this.kind = kind;
            this.source = source;
        }

        void addExcludes(Fields fields, JsonNode section, String name, String field) {
            excludes.addAll(patterns(fields, section, name, field));
        }

        List<ModulePattern> patterns(Fields fields, JsonNode section, String name, String field) {
            List<ModulePattern> patterns = new ArrayList<>();
            List<String> texts = fields.optionalStringList(section, name, field);
            for (int i = 0; i < texts.size(); i++) {
                try {
                    ModulePattern pattern = ModulePattern.parse(texts.get(i));
                    if (pattern.unresolvableClassName()) {
                        notes.add(field + "[" + i + "] \"" + texts.get(i) + "\" names a module class, which tensor "
                                + "headers cannot resolve; it was not applied");
                    }
                    patterns.add(pattern);
                } catch (IllegalArgumentException e) {
                    throw fields.error(field + "[" + i + "]", e.getMessage());
                }
            }
            return patterns;
        }

        ObjectNode summary() {
            ObjectNode json = Json.object();
            json.put("kind", kind.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            json.put("source", kind == Kind.NONE ? null : (source.startsWith("(") ? CONFIG_FILE + " " + source
                    : source));
            json.put("producer", producer);
            json.put("quant_algo", algo);
            json.put("precision", precision == null ? null : precision.name());
            json.put("group_size", groupSize);
            json.put("kv_cache", kvCache);
            var list = json.putArray("excluded_patterns");
            excludes.forEach(pattern -> list.add(pattern.text()));
            if (!groups.isEmpty()) {
                ObjectNode groupsJson = json.putObject("config_groups");
                for (Group group : groups) {
                    ObjectNode g = groupsJson.putObject(group.name());
                    var targets = g.putArray("targets");
                    group.targets().forEach(target -> targets.add(target.text()));
                    g.put("precision", group.precision() == null ? null : group.precision().name());
                    g.put("group_size", group.groupSize());
                }
            }
            if (!perLayer.isEmpty()) {
                json.put("quantized_layers", perLayer.size());
            }
            if (!blockNames.isEmpty()) {
                var blocks = json.putArray("block_name_to_quantize");
                blockNames.forEach(blocks::add);
            }
            if (!inBlockModules.isEmpty()) {
                var inBlock = json.putArray("modules_in_block_to_quantize");
                inBlockModules.forEach(inBlock::add);
            }
            return json;
        }
    }
}
