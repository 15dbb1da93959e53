package dev.day0.evidence.eval;

import java.util.Map;

/**
 * One evaluated item from a per-sample results file, reduced to what pairing and accounting need.
 *
 * @param docId the item's id within its task ({@code doc_id}), as text
 * @param docHash the harness's hash of the item ({@code doc_hash}), or null when the line has none
 * @param promptHash the harness's hash of the prompt sent ({@code prompt_hash}), or null
 * @param metrics the numeric per-item metric values by metric name ({@code acc}, {@code exact_match}); true and
 *     false count as 1 and 0; a NaN written by the harness stays NaN so consumers can refuse it
 * @param category the item's category when the line carries one ({@code category}, or {@code doc.category}),
 *     else null
 */
public record SampleRecord(String docId, String docHash, String promptHash, Map<String, Double> metrics,
                           String category) {
    public SampleRecord {
        if (docId == null) {
            throw new IllegalArgumentException("a sample needs a doc id");
        }
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);  // a no-op for maps made by Map.of
    }
}
