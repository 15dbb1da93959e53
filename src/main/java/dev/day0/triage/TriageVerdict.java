package dev.day0.triage;

import dev.day0.core.Decision;

/**
 * What triage says after a failed attempt.
 *
 * @param rule the row that applied
 * @param attempt the attempt that failed (1-based)
 * @param retry true when the engine should run the stage again by itself
 * @param decision the decision to stop with, or null when the stage is retried
 */
public record TriageVerdict(TriageRule rule, int attempt, boolean retry, Decision decision) {
}
