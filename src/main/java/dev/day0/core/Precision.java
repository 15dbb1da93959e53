package dev.day0.core;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Weight precisions a recipe targets or a checkpoint holds, with their width in bits. The OCP Microscaling (MX)
 * formats share one 8-bit power-of-two scale (E8M0) per block of 32 elements; {@link #bits()} is the element width,
 * as for the other group-scaled formats (NVFP4 keeps one FP8 scale per 16 elements).
 */
public enum Precision {
    NVFP4(4, Set.of("nvfp4", "fp4", "nvfp4_awq")),
    MXFP4(4, Set.of("mxfp4", "mxfp4_e2m1", "mx_fp4", "mx_fp4e2m1", "mx_fp4_e2m1")),
    MXFP6_E2M3(6, Set.of("mxfp6_e2m3", "mx_fp6_e2m3", "mx_fp6e2m3")),
    MXFP6_E3M2(6, Set.of("mxfp6_e3m2", "mx_fp6_e3m2", "mx_fp6e3m2")),
    MXFP8(8, Set.of("mxfp8", "mxfp8_e4m3", "mxfp8_e5m2", "mx_fp8", "mx_fp8e4m3", "mx_fp8_e4m3", "mx_fp8e5m2",
            "mx_fp8_e5m2")),
    MXINT8(8, Set.of("mxint8", "mx_int8")),
    INT4(4, Set.of("int4", "int4_awq", "w4a16_awq", "w4a16", "w4a8_awq", "int4_gptq")),
    FP8(8, Set.of("fp8", "fp8_e4m3", "float8_e4m3fn", "fp8_block", "fp8_pb_wo", "w8a8_fp8")),
    INT8(8, Set.of("int8", "w8a8", "int8_sq", "w8a8_int8")),
    BF16(16, Set.of("bf16", "bfloat16")),
    FP16(16, Set.of("fp16", "float16", "half")),
    FP32(32, Set.of("fp32", "float32", "float"));

    private static final Map<String, Precision> RECIPES = Map.of(
            "nvfp4", NVFP4,
            "nvfp4_mlp_only", NVFP4,
            "nvfp4_experts_only", NVFP4,
            "nvfp4_omlp_only", NVFP4,
            "fp8", FP8,
            "int4_awq", INT4,
            "int4_gptq", INT4);

    private final int bits;
    private final Set<String> spellings;

    Precision(int bits, Set<String> spellings) {
        this.bits = bits;
        this.spellings = spellings;
    }

    public int bits() {
        return bits;
    }

    /** Whether this is one of the OCP Microscaling formats (E8M0 scale per block of 32). */
    public boolean microscaling() {
        return name().startsWith("MX");
    }

    /** The precision a recipe quantizes weights to (case-insensitive), if the recipe is known. */
    public static Optional<Precision> ofRecipe(String recipe) {
        if (recipe == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(RECIPES.get(recipe.trim().toLowerCase(Locale.ROOT)));
    }

    /** The known recipe names, for error messages. */
    public static String knownRecipes() {
        return String.join(", ", new java.util.TreeSet<>(RECIPES.keySet()));
    }

    /** The precision a spelling names (an exporter's key such as {@code W4A16_AWQ}, or a dtype), if known. */
    public static Optional<Precision> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String key = normalizeKey(text);
        for (Precision precision : values()) {
            if (precision.spellings.contains(key)) {
                return Optional.of(precision);
            }
        }
        return Optional.empty();
    }

    /** The snake_case twin of an exporter key: {@code BF16/EXCLUDED} becomes {@code bf16_excluded}. */
    public static String normalizeKey(String key) {
        String lower = key.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return lower.replaceAll("^_+|_+$", "");
    }
}
