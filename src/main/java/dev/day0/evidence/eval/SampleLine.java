package dev.day0.evidence.eval;

import java.util.ArrayList;
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
    final Map<String, Double> numbers = new HashMap<>();
    final List<String> seen = new ArrayList<>();

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
        numbers.clear();
        seen.clear();
    }

    /** The item's id: {@code doc_id}, else NeMo Evaluator's {@code problem_idx}; null when the line has neither. */
    String id() {
        return docId != null ? docId : problemIdx;
    }

    SampleRecord record() {
        String chosen = category != null ? category : docCategory != null ? docCategory
                : metadataCategory != null ? metadataCategory : scoringCategory;
        return new SampleRecord(id(), docHash, promptHash, metrics(), chosen);
    }

    private Map<String, Double> metrics() {
        if (metricNames != null) {
            if (metricNames.size() == 1) {
                Double value = numbers.get(metricNames.get(0));
                return value == null ? Map.of() : Map.of(metricNames.get(0), value);
            }
            Map<String, Double> metrics = new HashMap<>();
            for (String name : metricNames) {
                Double value = numbers.get(name);
                if (value != null) {
                    metrics.put(name, value);
                }
            }
            return metrics;
        }
        Map<String, Double> metrics = new HashMap<>(numbers);
        NOT_METRICS.forEach(metrics::remove);
        return metrics;
    }
}
