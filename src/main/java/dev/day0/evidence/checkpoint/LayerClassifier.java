package dev.day0.evidence.checkpoint;

import dev.day0.gates.Precision;
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
 */
public final class LayerClassifier {
    public static final String EXCLUDED = "excluded";
    public static final String UNEXPECTED_UNQUANTIZED = "unexpected_unquantized";
    public static final String DECLARATION_MISMATCH = "declaration_mismatch";

    private static final Set<String> VISION_SEGMENTS = Set.of("visual", "vision_tower", "vision_model");
    private static final List<String> WEIGHT_SUFFIXES = List.of(".weight", ".weight_packed", ".qweight");

    /** One linear layer, as the per-layer table lists it. */
    public record Layer(String module, String shard, String dtype, String shape, String stored, String layerClass,
                        String reason) {
    }

    /** What the tensors say a layer is stored as; {@code problem} is set when they are inconsistent. */
    record Stored(Precision precision, String label, boolean quantized, String problem) {
    }

    private final Checkpoint output;
    private final Checkpoint source;
    private final QuantDeclaration declaration;
    private final String recipe;

    public LayerClassifier(Checkpoint output, Checkpoint source, QuantDeclaration declaration, String recipe) {
        this.output = output;
        this.source = source;
        this.declaration = declaration;
        this.recipe = recipe.trim().toLowerCase(Locale.ROOT);
    }

    /** The linear layers of a checkpoint by module name, each with its weight tensor. */
    public static Map<String, TensorInfo> linearLayers(Checkpoint checkpoint) {
        Map<String, TensorInfo> layers = new LinkedHashMap<>();
        for (TensorInfo tensor : checkpoint.tensors().values()) {
            String module = linearModule(tensor);
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
                    + (vision ? "; exclude the vision tower in the declaration" : "");
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
        return new Layer(module, weight.shard(), weight.dtype(), weight.shapeText(), stored.label(), layerClass,
                reason);
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
        TensorInfo scale = first(tensors, module, ".weight_scale", ".weight_scale_inv", ".scales");
        TensorInfo secondScale = first(tensors, module, ".weight_scale_2", ".weight_global_scale");
        boolean packedName = !weight.name().endsWith(".weight");
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
                return new Stored(Precision.FP8, "FP8", true, null);
            }
            case "U8", "I8", "I16", "U16", "I32", "U32" -> {
                if (scale == null && secondScale == null) {
                    return new Stored(null, "integer " + dtype, true, dtype + " weight without a scale tensor");
                }
                int bits = storedBits(module, weight);
                if (bits == 4) {
                    boolean fp4 = secondScale != null || scale != null && scale.dtype().startsWith("F8");
                    Precision precision = fp4 ? Precision.NVFP4 : Precision.INT4;
                    return new Stored(precision, precision.name(), true, null);
                }
                if (bits == 8 && !packedName) {
                    return new Stored(Precision.INT8, "INT8", true, null);
                }
                return new Stored(null, dtype, true, "weights stored at " + (bits > 0 ? bits + " bits" : "an unknown "
                        + "width") + " per element, which no known format uses");
            }
            default -> {
                return new Stored(null, dtype, true, "unknown weight dtype " + dtype);
            }
        }
    }

    /**
     * Bits per original weight element: the stored bytes against the element count of the same layer in the
     * source. Without a matching source layer, the declaration's width, else the width the storage suggests.
     */
    private int storedBits(String module, TensorInfo weight) {
        TensorInfo original = source == null ? null : source.tensors().get(module + ".weight");
        if (original != null && original.rank() == 2 && original.numel() > 0) {
            long bits = weight.byteSize() * 8;
            return bits % original.numel() == 0 ? (int) (bits / original.numel()) : -1;
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
