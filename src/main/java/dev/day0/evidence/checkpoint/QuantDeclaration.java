package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a quantized checkpoint says about its own quantization, read from the files the exporters write:
 * ModelOpt's {@code hf_quant_config.json} ({@code quantization.quant_algo}, {@code exclude_modules},
 * {@code quantized_layers} for {@code MIXED_PRECISION}) and {@code config.json}'s {@code quantization_config}
 * (or the older key {@code compression_config}) from ModelOpt, compressed-tensors, or the Transformers FP8, AWQ
 * and GPTQ configs.
 *
 * <p>The declaration is what a serving engine will believe when it loads the checkpoint, so every linear layer
 * is checked against it: {@link #expect(String)} says whether the declaration wants a module quantized, and to
 * which precision. The files are read by {@link QuantDeclarationReader}.
 */
public final class QuantDeclaration {
    public static final String MODELOPT_FILE = "hf_quant_config.json";
    public static final String CONFIG_FILE = "config.json";
    /** AutoGPTQ's own declaration, which its loader reads; Transformers and vLLM read config.json's instead. */
    public static final String AUTOGPTQ_FILE = "quantize_config.json";

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

    QuantDeclaration(DeclarationBuilder b) {
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
        return QuantDeclarationReader.read(dir);
    }

    static QuantDeclaration none() {
        DeclarationBuilder b = new DeclarationBuilder(Kind.NONE, "none");
        return new QuantDeclaration(b);
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

    /**
     * The 4-bit integer method that wrote the checkpoint, when the declaration names one: {@code gptq} for the
     * Transformers GPTQ config, {@code awq} for AutoAWQ's and for ModelOpt's AWQ algorithms ({@code W4A16_AWQ},
     * {@code INT4_AWQ}); null otherwise (compressed-tensors packs GPTQ and AWQ results alike).
     */
    public String int4Method() {
        String method = algo == null ? "" : algo.toLowerCase(Locale.ROOT);
        if (kind == Kind.TRANSFORMERS && (method.equals("gptq") || method.equals("awq"))) {
            return method;
        }
        return kind == Kind.MODELOPT && method.contains("awq") ? "awq" : null;
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
        DeclarationBuilder b = copy();
        b.problems.add(problem);
        return new QuantDeclaration(b);
    }

    QuantDeclaration withNote(String note) {
        DeclarationBuilder b = copy();
        b.notes.add(note);
        return new QuantDeclaration(b);
    }

    private DeclarationBuilder copy() {
        DeclarationBuilder b = new DeclarationBuilder(kind, source);
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
        b.notes.addAll(notes);
        b.producer = summary.path("producer").asText(null);
        return b;
    }

    public Kind kind() {
        return kind;
    }

    /** Where the declaration was read: {@code hf_quant_config.json}, or the section of config.json. */
    String source() {
        return source;
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
}
