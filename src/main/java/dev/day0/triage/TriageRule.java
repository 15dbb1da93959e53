package dev.day0.triage;

import dev.day0.core.Decision;
import dev.day0.core.FailureClass;

/**
 * One row of the triage table.
 *
 * @param failureClass the class this row answers
 * @param action what to do next, in words a release engineer acts on
 * @param automatic true when the engine itself may repeat the stage; false when a person must act first
 * @param maxAttempts how many attempts of the stage this class allows in total (1 = no retry)
 * @param waitSeconds how long to wait before an automatic retry
 * @param whileOpen the decision while attempts remain and the action needs a person (null for automatic rows)
 * @param whenExhausted the decision when no attempt remains
 */
public record TriageRule(FailureClass failureClass, String action, boolean automatic, int maxAttempts,
                         int waitSeconds, Decision whileOpen, Decision whenExhausted) {
}
