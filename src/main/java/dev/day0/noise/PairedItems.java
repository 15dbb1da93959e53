package dev.day0.noise;

import java.util.List;

/**
 * Two runs' results on the same items, one mean per item and run (the average over that item's repeats), in
 * the per-sample metric's own units.
 *
 * @param cluster per-item category index, or null unless every item has a category
 * @param clusterNames the categories, indexed by {@code cluster}
 * @param categorised items that carry a category
 * @param binary every record is 0 or 1 and every item has exactly one record per run (flips are defined)
 * @param baselineRecordMean mean over all baseline records (the way harnesses compute the score)
 * @param withinBaseline pooled variance of baseline repeats around their item means, NaN without repeats
 * @param promptHashMismatches items whose prompt hash differs between the runs (same item, different prompt)
 */
public record PairedItems(double[] baseline, double[] candidate, int[] cluster, List<String> clusterNames,
                          int categorised, boolean binary, long baselineRecords, long candidateRecords,
                          double baselineRecordMean, double candidateRecordMean, int minRepeats, int maxRepeats,
                          double withinBaseline, double withinCandidate, int promptHashMismatches) {

    public int size() {
        return baseline.length;
    }

    public double baselineItemMean() {
        return mean(baseline);
    }

    public double candidateItemMean() {
        return mean(candidate);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
