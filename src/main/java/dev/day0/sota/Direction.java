package dev.day0.sota;

import java.util.Optional;

/** Which way a metric is better. */
public enum Direction {
    HIGHER_IS_BETTER("higher_is_better"),
    LOWER_IS_BETTER("lower_is_better");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code higher_is_better} or {@code higher}, {@code lower_is_better} or {@code lower}. */
    public static Optional<Direction> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.strip()) {
            case "higher_is_better", "higher" -> Optional.of(HIGHER_IS_BETTER);
            case "lower_is_better", "lower" -> Optional.of(LOWER_IS_BETTER);
            default -> Optional.empty();
        };
    }

    /** How much better {@code value} is than {@code reference}: positive is better, negative is worse. */
    public double improvement(double reference, double value) {
        return this == HIGHER_IS_BETTER ? value - reference : reference - value;
    }

    public String comparator() {
        return this == HIGHER_IS_BETTER ? ">=" : "<=";
    }
}
