package dev.day0.evidence.checkpoint;

import dev.day0.core.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sorts every linear layer of a quantized checkpoint into the classes the ptq gate counts: quantized to a
 * precision, {@link #EXCLUDED}, {@link #UNEXPECTED_UNQUANTIZED} or {@link #DECLARATION_MISMATCH}.
 *
 * <p>What a layer is stored as comes from its tensors alone: the weight's dtype, its sibling scale tensors
 * ({@code weight_scale}, {@code weight_scale_2}, {@code weight_scale_inv}, {@code weight_global_scale},
 * {@code scales}) and, for packed integer storage, the bits per element measured against the same layer in the
 * source checkpoint. What it should be comes from the checkpoint's quantization declaration, or from the recipe
 * when there is none. Vision towers stay unquantized: none of the recipes targets them.
 *
 * <p>MoE exports that fuse the experts of a layer into one 3-D tensor per projection ({@code mlp.experts.gate_up_proj}
 * of shape {@code [experts, out, in]}, stored as {@code gate_up_proj_blocks}/{@code _scales} in MXFP4 and as
 * {@code gate_up_proj} with {@code _weight_scale}/{@code _weight_scale_2} in NVFP4) hold one linear layer per expert:
 * such a tensor is one row of the table and counts as that many layers, and its reason says so.
 */
public final class LayerClassifier {
    public static final String EXCLUDED = "excluded";
    public static final String UNEXPECTED_UNQUANTIZED = "unexpected_unquantized";
    public static final String DECLARATION_MISMATCH = "declaration_mismatch";

    private static final Set<String> VISION_SEGMENTS = Set.of("visual", "vision_tower", "vision_model");
    private static final List<String> WEIGHT_SUFFIXES = List.of(".weight", ".weight_packed", ".qweight");
    private static final String BLOCKS_SUFFIX = "_blocks";

    /**
     * One linear layer, as the per-layer table lists it; {@code fusedExperts} is the number of expert layers a
     * fused 3-D tensor holds, 0 for an ordinary layer.
     */
    public record Layer(String module, String shard, String dtype, String shape, String stored, String layerClass,
                        String reason, int fusedExperts) {
        /** How many linear layers this row stands for in the counts. */
        public long count() {
            return Math.max(1, fusedExperts);
        }
    }

    /** What the tensors say a layer is stored as; {@code problem} is set when they are inconsistent. */
    record Stored(Precision precision, String label, boolean quantized, String problem) {
    }

    private final Checkpoint output;
    private final Checkpoint source;
    private final QuantDeclaration declaration;
    private final String recipe;
    private final Map<String, TensorInfo> sourceLayers;

    public LayerClassifier(Checkpoint output, Checkpoint source, QuantDeclaration declaration, String recipe) {
        this.output = output;
        this.source = source;
        this.declaration = declaration;
        this.recipe = recipe.trim().toLowerCase(Locale.ROOT);
        this.sourceLayers = source == null ? Map.of() : linearLayers(source);
    }

    /**
     * The linear layers of a checkpoint by module name, each with its weight tensor (read-only; worked out once per
     * checkpoint, since the inspection asks for it several times).
     */
    public static Map<String, TensorInfo> linearLayers(Checkpoint checkpoint) {
        return checkpoint.linearLayers();
    }

    static Map<String, TensorInfo> findLinearLayers(Checkpoint checkpoint) {
        Map<String, TensorInfo> layers = new LinkedHashMap<>();
        for (TensorInfo tensor : checkpoint.tensors().values()) {
            String module = linearModule(tensor);
            if (module == null) {
                module = fusedExpertModule(tensor);
            }
            if (module != null) {
                layers.putIfAbsent(module, tensor);
            }
        }
        return layers;
    }

    /** The module name when {@code tensor} is the weight of a linear layer, else null. */
    static String linearModule(TensorInfo tensor) {
        if (tensor.rank() != 2) {
            return null;
        }
        for (String suffix : WEIGHT_SUFFIXES) {
            if (tensor.name().endsWith(suffix)) {
                String module = tensor.name().substring(0, tensor.name().length() - suffix.length());
                String last = module.substring(module.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
                boolean normOrEmbedding = last.contains("norm") || last.contains("embed") || last.equals("wte")
                        || last.equals("wpe");
                return normOrEmbedding || module.isEmpty() ? null : module;
            }
        }
        return null;
    }

    /**
     * The module when {@code tensor} is a fused expert projection ({@code ...experts.gate_up_proj}, 3-D, or its
     * MXFP4 {@code _blocks}, 4-D), else null. Scale, bias and zero-point tensors beside it are not projections.
     */
    static String fusedExpertModule(TensorInfo tensor) {
        String name = tensor.name();
        String module;
        if (tensor.rank() == 4 && name.endsWith(BLOCKS_SUFFIX)) {
            module = name.substring(0, name.length() - BLOCKS_SUFFIX.length());
        } else if (tensor.rank() == 3) {
            module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
        } else {
            return null;
        }
        int dot = module.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String last = module.substring(dot + 1);
        String parent = module.substring(0, dot);
        boolean experts = parent.equals("experts") || parent.endsWith(".experts");
        boolean projection = last.endsWith("proj") || last.matches("w[0-9]+");
        return experts && projection ? module : null;
    }

    /** The number of experts a fused expert tensor holds (its first dimension), 0 for an ordinary layer. */
    static int fusedExperts(TensorInfo weight) {
        return fusedExpertModule(weight) != null ? (int) weight.shape()[0] : 0;
    }

    static boolean isVision(String module) {
        for (String segment : module.split("\\.")) {
            if (VISION_SEGMENTS.contains(segment)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the recipe, by itself, quantizes {@code module}; used when the checkpoint declares nothing. Besides
     * the recipe's own scope, the exporters leave output heads and MoE routers unquantized by default.
     */
    boolean inRecipeScope(String module) {
        if (isVision(module)) {
            return false;
        }
        String last = module.substring(module.lastIndexOf('.') + 1);
        if (last.equals("lm_head") || last.equals("output_layer") || last.equals("gate") || last.contains("router")) {
            return false;
        }
        return recipeTargets(module);
    }

    /** Whether the recipe's layer selection includes {@code module}: partial recipes name the layers they touch. */
    boolean recipeTargets(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        boolean mlp = module.contains(".mlp.") || module.contains(".block_sparse_moe.")
                || module.contains(".feed_forward.") || module.contains(".experts.");
        return switch (recipe) {
            case "nvfp4_mlp_only" -> mlp;
            case "nvfp4_experts_only" -> module.contains(".experts.");
            case "nvfp4_omlp_only" -> mlp || last.equals("o_proj");
            default -> true;
        };
    }

    /** Classifies every linear layer of the output checkpoint, in tensor order. */
    public List<Layer> classify() {
        Map<String, TensorInfo> layers = linearLayers(output);
        List<Layer> rows = new ArrayList<>(layers.size());
        for (Map.Entry<String, TensorInfo> entry : layers.entrySet()) {
            rows.add(classify(entry.getKey(), entry.getValue()));
        }
        return rows;
    }

    private Layer classify(String module, TensorInfo weight) {
        Stored stored = stored(module, weight);
        QuantDeclaration.Expectation expected = declaration.expect(module);
        boolean vision = isVision(module);
        String layerClass;
        String reason;
        if (stored.problem() != null) {
            layerClass = DECLARATION_MISMATCH;
            reason = stored.problem();
        } else if (stored.quantized()) {
            String groupProblem = groupSizeProblem(module, weight, stored.precision());
            if (vision) {
                layerClass = DECLARATION_MISMATCH;
                reason = "vision tower quantized to " + stored.label() + "; recipe " + recipe + " does not target it";
            } else if (expected == null) {
                layerClass = DECLARATION_MISMATCH;
                reason = "quantized to " + stored.label() + " but the checkpoint declares no quantization";
            } else if (!expected.quantized()) {
                layerClass = DECLARATION_MISMATCH;
                reason = "quantized to " + stored.label() + " but declared unquantized (" + expected.reason() + ")";
            } else if (expected.precision() != null && expected.precision() != stored.precision()) {
                layerClass = DECLARATION_MISMATCH;
                reason = "quantized to " + stored.label() + " but declared " + expected.precision().name() + " ("
                        + expected.reason() + ")";
            } else if (groupProblem != null) {
                layerClass = DECLARATION_MISMATCH;
                reason = groupProblem;
            } else {
                layerClass = stored.label();
                reason = recipeTargets(module) ? expected.reason()
                        : expected.reason() + "; outside recipe " + recipe + "'s scope";
            }
        } else if (expected != null && expected.quantized()) {
            layerClass = vision ? DECLARATION_MISMATCH : UNEXPECTED_UNQUANTIZED;
            reason = "stored as " + stored.label() + " but declared quantized (" + expected.reason() + ")"
                    + (vision ? "; add the vision tower to " + declaration.excludeKey() + " if it is meant to stay "
                    + "unquantized" : "; " + declaration.unquantizedAdvice());
        } else if (vision) {
            layerClass = EXCLUDED;
            reason = "vision tower, kept " + stored.label();
        } else if (expected != null) {
            layerClass = EXCLUDED;
            reason = expected.reason();
        } else if (inRecipeScope(module)) {
            layerClass = UNEXPECTED_UNQUANTIZED;
            reason = "stored as " + stored.label() + "; recipe " + recipe + " quantizes it and the checkpoint "
                    + "declares no quantization";
        } else {
            layerClass = EXCLUDED;
            reason = "outside recipe " + recipe + "'s scope";
        }
        int experts = fusedExperts(weight);
        if (experts > 0) {
            reason = reason + "; fused: " + experts + " experts";
        }
        return new Layer(module, weight.shard(), weight.dtype(), weight.shapeText(), stored.label(), layerClass,
                reason, experts);
    }

    /** Layers quantized although the recipe would not have quantized them (reported, not counted as failures). */
    public List<Layer> outsideRecipeScope(List<Layer> layers) {
        List<Layer> outside = new ArrayList<>();
        for (Layer layer : layers) {
            if (!layer.layerClass().equals(EXCLUDED) && !layer.layerClass().equals(UNEXPECTED_UNQUANTIZED)
                    && !layer.layerClass().equals(DECLARATION_MISMATCH) && !recipeTargets(layer.module())) {
                outside.add(layer);
            }
        }
        return outside;
    }

    Stored stored(String module, TensorInfo weight) {
        Map<String, TensorInfo> tensors = output.tensors();
        TensorInfo scale = first(tensors, module, ".weight_scale", ".weight_scale_inv", ".scales", "_weight_scale",
                "_scales");
        TensorInfo secondScale = first(tensors, module, ".weight_scale_2", ".weight_global_scale", "_weight_scale_2");
        boolean packedName = packedName(weight);
        String dtype = weight.dtype();
        switch (dtype) {
            case "BF16", "F16", "F32", "F64" -> {
                String label = switch (dtype) {
                    case "BF16" -> "BF16";
                    case "F16" -> "FP16";
                    case "F32" -> "FP32";
                    default -> "FP64";
                };
                if (packedName || scale != null || secondScale != null) {
                    TensorInfo evidence = scale != null ? scale : secondScale != null ? secondScale : weight;
                    return new Stored(null, label, false, "quantization tensor " + evidence.name()
                            + " beside an unquantized " + dtype + " weight");
                }
                return new Stored(Precision.parse(label.toLowerCase(Locale.ROOT)).orElse(null), label, false, null);
            }
            case "F8_E4M3", "F8_E5M2" -> {
                if (scale == null) {
                    return new Stored(Precision.FP8, "FP8", true, "FP8 weight without a weight_scale or "
                            + "weight_scale_inv tensor");
                }
                if (microscale(scale)) {
                    return new Stored(Precision.MXFP8, "MXFP8", true, null);
                }
                return new Stored(Precision.FP8, "FP8", true, null);
            }
            case "U8", "I8", "I16", "U16", "I32", "U32" -> {
                if (scale == null && secondScale == null) {
                    return new Stored(null, "integer " + dtype, true, dtype + " weight without a scale tensor");
                }
                int bits = storedBits(module, weight);
                if (bits == 4) {
                    boolean fp4 = secondScale != null || scale != null && scale.dtype().startsWith("F8");
                    Precision precision = fp4 ? Precision.NVFP4 : microscale(scale) ? Precision.MXFP4
                            : Precision.INT4;
                    return new Stored(precision, precision.name(), true, null);
                }
                if (bits == 6 && microscale(scale)) {
                    QuantDeclaration.Expectation expected = declaration.expect(module);
                    Precision declared = expected == null ? null : expected.precision();
                    if (declared == Precision.MXFP6_E2M3 || declared == Precision.MXFP6_E3M2) {
                        return new Stored(declared, declared.name(), true, null);
                    }
                    return new Stored(null, "MXFP6", true, "6-bit MX weights whose element format (E2M3 or E3M2) "
                            + "the declaration does not name");
                }
                if (bits == 8 && !packedName) {
                    return microscale(scale) && dtype.equals("I8")
                            ? new Stored(Precision.MXINT8, "MXINT8", true, null)
                            : new Stored(Precision.INT8, "INT8", true, null);
                }
                return new Stored(null, dtype, true, "weights stored at " + (bits > 0 ? bits + " bits" : "an unknown "
                        + "width") + " per element, which no known format uses");
            }
            default -> {
                return new Stored(null, dtype, true, "unknown weight dtype " + dtype);
            }
        }
    }

    /** A weight name that only packed storage uses: compressed-tensors, GPTQ/AWQ, MXFP4 blocks. */
    private static boolean packedName(TensorInfo weight) {
        String name = weight.name();
        return name.endsWith(".weight_packed") || name.endsWith(".qweight") || name.endsWith(BLOCKS_SUFFIX);
    }

    /** An OCP MX scale: one unsigned 8-bit power of two (E8M0) per block, i.e. a {@code U8} tensor, not a scalar. */
    private static boolean microscale(TensorInfo scale) {
        return scale != null && scale.dtype().equals("U8") && scale.rank() >= 2;
    }

    /**
     * The number of original weight elements of {@code module} in the source: the element count of an unpacked
     * weight, two per byte of MXFP4 blocks; -1 when the source holds it in another packed form.
     */
    private long originalElements(String module) {
        TensorInfo original = sourceLayers.get(module);
        if (original == null || original.numel() == 0) {
            return -1;
        }
        if (original.name().endsWith(BLOCKS_SUFFIX)) {
            return original.byteSize() * 2;
        }
        return packedName(original) ? -1 : original.numel();
    }

    /**
     * Bits per original weight element: the stored bytes against the element count of the same layer in the
     * source. Without a matching source layer, the declaration's width, else the width the storage suggests.
     */
    private int storedBits(String module, TensorInfo weight) {
        long elements = originalElements(module);
        if (elements > 0) {
            long bits = weight.byteSize() * 8;
            return bits % elements == 0 ? (int) (bits / elements) : -1;
        }
        QuantDeclaration.Expectation expected = declaration.expect(module);
        if (expected != null && expected.precision() != null) {
            return expected.precision().bits();
        }
        boolean packedName = !weight.name().endsWith(".weight");
        return packedName || weight.dtype().equals("U8") ? 4 : 8;
    }

    /** A problem when a group-scaled layer's scale does not have the declared number of groups per row. */
    private String groupSizeProblem(String module, TensorInfo weight, Precision precision) {
        if (precision != Precision.NVFP4 && precision != Precision.INT4) {
            return null;
        }
        Long groupSize = declaration.groupSizeFor(module);
        TensorInfo scale = output.tensors().get(module + ".weight_scale");
        TensorInfo original = source == null ? null : source.tensors().get(module + ".weight");
        if (groupSize == null || groupSize <= 0 || scale == null || scale.rank() != 2 || original == null
                || original.rank() != 2) {
            return null;
        }
        long inFeatures = original.shape()[1];
        long groups = (inFeatures + groupSize - 1) / groupSize;
        if (scale.shape()[0] == original.shape()[0] && scale.shape()[1] != groups) {
            return module + ".weight_scale has " + scale.shape()[1] + " groups per row; group_size " + groupSize
                    + " over " + inFeatures + " inputs needs " + groups;
        }
        return null;
    }

    private static TensorInfo first(Map<String, TensorInfo> tensors, String module, String... suffixes) {
        for (String suffix : suffixes) {
            TensorInfo tensor = tensors.get(module + suffix);
            if (tensor != null) {
                return tensor;
            }
        }
        return null;
    }
}
