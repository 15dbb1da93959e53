package dev.day0.noise;

/** {@code --noise}: how the compare gate weighs evaluation noise. */
public enum NoiseMode {
    /** The point rule: a drop over the threshold is a regression, however noisy the scores. */
    OFF,
    /** Per-sample files for both runs: item-by-item differences. */
    PAIRED,
    /** Two independent scores with their standard errors (or binomial ones from the item count). */
    UNPAIRED
}
