package dev.day0.triage;

import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What to do after a gate fails, as data: the conductor, the Jenkins steps and {@code day0 triage} all read this
 * one table, so a failure class means the same thing everywhere.
 */
public final class TriageTable {
    private static final Map<FailureClass, TriageRule> RULES = build();

    private TriageTable() {
    }

    private static Map<FailureClass, TriageRule> build() {
        Map<FailureClass, TriageRule> rules = new EnumMap<>(FailureClass.class);
        add(rules, new TriageRule(FailureClass.INFRA_TRANSIENT,
                "retry the stage once; if it fails again the infrastructure is at fault",
                true, 2, 30, null, Decision.SYSTEMIC));
        add(rules, new TriageRule(FailureClass.EVAL_JUDGE_FAILED,
                "wait for the judge or its rate limit to recover, then retry the eval",
                true, 3, 300, null, Decision.NEEDS_HUMAN));
        add(rules, new TriageRule(FailureClass.MODEL_UNSUPPORTED,
                "patch the recipe or add model support in the quantizer, then re-run PTQ",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.INFEASIBLE));
        add(rules, new TriageRule(FailureClass.QUANT_COVERAGE_FAILURE,
                "fix the recipe's module wildcards (exclusions, targets) and re-run PTQ",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.INFEASIBLE));
        add(rules, new TriageRule(FailureClass.SIZE_NOT_REDUCED,
                "check that the export wrote packed low-precision weights, or set accept_size_growth deliberately",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.INFEASIBLE));
        add(rules, new TriageRule(FailureClass.DEPLOYMENT_HEALTH_FAILED,
                "debug the serving engine standalone with the quantized checkpoint, then re-run the eval",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.INFEASIBLE));
        add(rules, new TriageRule(FailureClass.CHECKPOINT_NOT_SERVABLE,
                "fix the export and re-run PTQ; do not evaluate a checkpoint the server cannot load",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.INFEASIBLE));
        add(rules, new TriageRule(FailureClass.VERBOSITY_EXCEEDED,
                "re-check run hygiene (reasoning effort, partial runs, sample counts); a delta that survives "
                        + "matched complete runs is a real behaviour change: do not publish on accuracy alone",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.REGRESSION));
        add(rules, new TriageRule(FailureClass.CONFIG_MISMATCH,
                "make the candidate's evaluation configuration equal the baseline's except the checkpoint, "
                        + "then re-run the eval that differs",
                false, 2, 0, Decision.NEEDS_HUMAN, Decision.ANOMALOUS));
        add(rules, new TriageRule(FailureClass.SAMPLE_ACCOUNTING_FAILED,
                "investigate missing or extra samples before trusting any score",
                false, 1, 0, null, Decision.NEEDS_HUMAN));
        add(rules, new TriageRule(FailureClass.EXTERNAL_BASELINE_MISMATCH,
                "the measured baseline disagrees with the published one: check harness settings and prompts",
                false, 1, 0, null, Decision.NEEDS_HUMAN));
        add(rules, new TriageRule(FailureClass.USER_CONFIG_ERROR,
                "stop and ask: fix the configuration or input named in the detail",
                false, 1, 0, null, Decision.NEEDS_HUMAN));
        add(rules, new TriageRule(FailureClass.UNKNOWN,
                "stop and ask: a person must read the detail and the logs",
                false, 1, 0, null, Decision.NEEDS_HUMAN));
        add(rules, new TriageRule(FailureClass.SYSTEMIC,
                "stop: the infrastructure failed repeatedly; the run says nothing about the model",
                false, 1, 0, null, Decision.SYSTEMIC));
        add(rules, new TriageRule(FailureClass.POINT_INFEASIBLE,
                "stop: this recipe and model cannot give a valid candidate",
                false, 1, 0, null, Decision.INFEASIBLE));
        return Collections.unmodifiableMap(rules);
    }

    private static void add(Map<FailureClass, TriageRule> rules, TriageRule rule) {
        rules.put(rule.failureClass(), rule);
    }

    /** The row for a class; every class has one (a test holds the table to that). */
    public static TriageRule rule(FailureClass failureClass) {
        TriageRule rule = RULES.get(failureClass);
        if (rule == null) {
            throw new IllegalStateException("no triage row for " + failureClass);
        }
        return rule;
    }

    public static Map<FailureClass, TriageRule> rules() {
        return RULES;
    }

    /**
     * The verdict after attempt {@code attempt} (1-based) of a stage failed with this class.
     */
    public static TriageVerdict after(FailureClass failureClass, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be 1 or more, was " + attempt);
        }
        TriageRule rule = rule(failureClass);
        boolean attemptsLeft = attempt < rule.maxAttempts();
        if (attemptsLeft && rule.automatic()) {
            return new TriageVerdict(rule, attempt, true, null);
        }
        if (attemptsLeft) {
            return new TriageVerdict(rule, attempt, false, rule.whileOpen());
        }
        return new TriageVerdict(rule, attempt, false, rule.whenExhausted());
    }

    /** The decision when a run closes on this failure class with no options left. */
    public static Decision finalDecision(FailureClass failureClass) {
        return rule(failureClass).whenExhausted();
    }
}
