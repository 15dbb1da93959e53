package dev.day0.rockie;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The GPU types the Rockie platform rents out, spelled as its API spells them. */
public enum GpuType {
    A40_48GB,
    A100_80GB,
    H100_SXM,
    H200,
    B200;

    public static Optional<GpuType> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(type -> type.name().equals(text.trim())).findFirst();
    }

    public static String known() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
