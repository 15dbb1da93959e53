package dev.day0.release;

import java.util.List;

/** The stages of a release run, in chain order. Their names appear in state.json, logs and the test hook. */
public final class Stages {
    public static final String SETUP = "setup";
    public static final String PTQ = "ptq";
    public static final String PTQ_GATE = "ptq_gate";
    public static final String BASELINE_EVAL = "baseline_eval";
    public static final String BASELINE_GATE = "baseline_gate";
    public static final String QUANTIZED_EVAL = "quantized_eval";
    public static final String QUANTIZED_GATE = "quantized_gate";
    public static final String COMPARE = "compare";
    public static final String CLOSEOUT = "closeout";

    public static final List<String> ALL = List.of(SETUP, PTQ, PTQ_GATE, BASELINE_EVAL, BASELINE_GATE,
            QUANTIZED_EVAL, QUANTIZED_GATE, COMPARE, CLOSEOUT);

    private Stages() {
    }

    /** 1-based position, for "[3/9]" progress lines. */
    public static int position(String stage) {
        return ALL.indexOf(stage) + 1;
    }

    /** The working stage a gate judges, or null for stages that are not run gates. */
    public static String workOf(String gate) {
        return switch (gate) {
            case PTQ_GATE -> PTQ;
            case BASELINE_GATE -> BASELINE_EVAL;
            case QUANTIZED_GATE -> QUANTIZED_EVAL;
            default -> null;
        };
    }

    public static boolean isWork(String stage) {
        return PTQ.equals(stage) || BASELINE_EVAL.equals(stage) || QUANTIZED_EVAL.equals(stage);
    }
}
