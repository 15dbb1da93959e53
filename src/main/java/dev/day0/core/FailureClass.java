package dev.day0.core;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a gate failed. The names are those of the upstream day0-release gate scripts, so that results read the same
 * whichever tool produced them; {@link #SYSTEMIC} and {@link #POINT_INFEASIBLE} are outcomes of triage itself.
 */
public enum FailureClass {
    USER_CONFIG_ERROR,
    MODEL_UNSUPPORTED,
    QUANT_COVERAGE_FAILURE,
    SIZE_NOT_REDUCED,
    DEPLOYMENT_HEALTH_FAILED,
    EVAL_JUDGE_FAILED,
    INFRA_TRANSIENT,
    SAMPLE_ACCOUNTING_FAILED,
    EXTERNAL_BASELINE_MISMATCH,
    CHECKPOINT_NOT_SERVABLE,
    VERBOSITY_EXCEEDED,
    CONFIG_MISMATCH,
    UNKNOWN,
    SYSTEMIC,
    POINT_INFEASIBLE;

    public static Optional<FailureClass> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
