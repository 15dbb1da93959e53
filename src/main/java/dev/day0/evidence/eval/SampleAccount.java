package dev.day0.evidence.eval;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Counts what a per-sample file proves: how many distinct items carry a finite value of the canonical metric,
 * and which items are repeated or unscored. Memory is one bit per item for the integer doc ids the harness
 * writes (a set of strings only for other ids), so ten million items fit in a small heap.
 */
public final class SampleAccount implements Consumer<SampleRecord> {
    private final String metric;
    private final BitSet integerIds = new BitSet();
    private final Set<String> otherIds = new HashSet<>();
    private long lines;
    private long distinct;
    private long duplicates;
    private String firstDuplicate;
    private long scored;
    private long missingMetric;
    private long nonFinite;
    private double sum;

    /**
     * @param metric the metric whose value makes an item scored; null accepts any finite metric value
     */
    public SampleAccount(String metric) {
        this.metric = metric;
    }

    @Override
    public void accept(SampleRecord record) {
        lines++;
        if (!firstSighting(record.docId())) {
            duplicates++;
            if (firstDuplicate == null) {
                firstDuplicate = record.docId();
            }
            return;
        }
        distinct++;
        Double value = metric == null ? anyFinite(record.metrics()) : record.metrics().get(metric);
        if (value == null) {
            missingMetric++;
        } else if (!Double.isFinite(value)) {
            nonFinite++;
        } else {
            scored++;
            sum += value;
        }
    }

    private boolean firstSighting(String docId) {
        int id = smallInteger(docId);
        if (id >= 0) {
            if (integerIds.get(id)) {
                return false;
            }
            integerIds.set(id);
            return true;
        }
        return otherIds.add(docId);
    }

    /** Integer ids below this go to the bit set (at most 16 MB); larger ones to the set of strings. */
    private static final int BITSET_LIMIT = 1 << 27;

    /** The value of a doc id of up to nine digits (no sign, no leading zero) below the bit-set limit, else -1. */
    private static int smallInteger(String text) {
        int length = text.length();
        if (length == 0 || length > 9 || (length > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value < BITSET_LIMIT ? value : -1;
    }

    private static Double anyFinite(Map<String, Double> metrics) {
        Double found = null;
        for (Double value : metrics.values()) {
            if (Double.isFinite(value)) {
                return value;
            }
            found = value;
        }
        return found;
    }

    /** Sample lines seen (of the filter streamed). */
    public long lines() {
        return lines;
    }

    /** Distinct doc ids. */
    public long distinct() {
        return distinct;
    }

    /** Lines whose doc id was already seen. */
    public long duplicates() {
        return duplicates;
    }

    public String firstDuplicate() {
        return firstDuplicate;
    }

    /** Distinct items with a finite value of the metric: the run's scored samples. */
    public long scored() {
        return scored;
    }

    /** Distinct items without the metric at all. */
    public long missingMetric() {
        return missingMetric;
    }

    /** Distinct items whose metric is NaN or infinite. */
    public long nonFinite() {
        return nonFinite;
    }

    /** The mean of the metric over the scored items, or NaN when none is scored. */
    public double mean() {
        return scored == 0 ? Double.NaN : sum / scored;
    }
}
