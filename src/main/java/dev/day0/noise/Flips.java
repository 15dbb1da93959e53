package dev.day0.noise;

/**
 * Items whose binary outcome changed between the runs, with McNemar's exact p-value for "the changes are as
 * likely in either direction". Reported next to the interval; the verdict comes from the interval.
 */
public record Flips(long correctToWrong, long wrongToCorrect, double mcnemarP) {
    public static Flips of(long correctToWrong, long wrongToCorrect) {
        return new Flips(correctToWrong, wrongToCorrect, Binomial.mcnemarExactP(correctToWrong, wrongToCorrect));
    }
}
