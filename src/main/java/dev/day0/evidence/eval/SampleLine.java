package dev.day0.evidence.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one sample line that a {@link SampleRecord} is made of, as both readers fill them (the byte-level
 * {@link SampleLineScanner} and the Jackson path of {@link SampleFileReader}). One place turns them into a record,
 * so the two readers cannot disagree on which category or metric a line yields.
 */
final class SampleLine {
    /** Top-level fields that hold numbers but are not metrics, for lines without a {@code metrics} list. */
    private static final List<String> NOT_METRICS = List.of("doc_id", "target", "task_id", "repeats", "idx",
            "problem_idx", "repeat");

    String docId;
    String docHash;
    String promptHash;
    String filter;
    String category;
    String docCategory;
    String problemIdx;
    String metadataCategory;
    String scoringCategory;
    List<String> metricNames;
    /** The line's numeric and boolean fields in file order: a few per line, so arrays beat a hash map. */
    private String[] numberNames = new String[8];
    private double[] numberValues = new double[8];
    private int numbers;
    final List<String> seen = new ArrayList<>();

    /** Records a numeric field; both readers refuse a repeated field before it gets here. */
    void number(String name, double value) {
        if (numbers == numberNames.length) {
            numberNames = Arrays.copyOf(numberNames, numbers * 2);
            numberValues = Arrays.copyOf(numberValues, numbers * 2);
        }
        numberNames[numbers] = name;
        numberValues[numbers] = value;
        numbers++;
    }

    private int indexOf(String name) {
        for (int k = 0; k < numbers; k++) {
            if (numberNames[k].equals(name)) {
                return k;
            }
        }
        return -1;
    }

    void clear() {
        docId = null;
        docHash = null;
        promptHash = null;
        filter = null;
        category = null;
        docCategory = null;
        problemIdx = null;
        metadataCategory = null;
        scoringCategory = null;
        metricNames = null;
        Arrays.fill(numberNames, 0, numbers, null);
        numbers = 0;
        seen.clear();
    }

    /** The item's id: {@code doc_id}, else NeMo Evaluator's {@code problem_idx}; null when the line has neither. */
    String id() {
        return docId != null ? docId : problemIdx;
    }

    /** Whether the line belongs to {@code filter} (null keeps every line); a line naming none is {@code none}'s. */
    boolean keptBy(String filter) {
        return filter == null || filter.equals(this.filter == null ? SampleFileReader.DEFAULT_FILTER : this.filter);
    }

    SampleRecord record() {
        String chosen = category != null ? category : docCategory != null ? docCategory
                : metadataCategory != null ? metadataCategory : scoringCategory;
        return new SampleRecord(id(), docHash, promptHash, metrics(), chosen);
    }

    private Map<String, Double> metrics() {
        if (metricNames != null) {
            if (metricNames.size() == 1) {
                int at = indexOf(metricNames.get(0));
                return at < 0 ? Map.of() : Map.of(numberNames[at], numberValues[at]);
            }
            Map<String, Double> metrics = new HashMap<>();
            for (String name : metricNames) {
                int at = indexOf(name);
                if (at >= 0) {
                    metrics.put(name, numberValues[at]);
                }
            }
            return metrics;
        }
        Map<String, Double> metrics = new HashMap<>();
        for (int k = 0; k < numbers; k++) {
            if (!NOT_METRICS.contains(numberNames[k])) {
                metrics.put(numberNames[k], numberValues[k]);
            }
        }
        return metrics;
    }
}
