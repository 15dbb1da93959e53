package dev.day0.core;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The stages of a release run, in chain order. Their keys appear in plans, state.json, logs and the test hook;
 * the kind says what the conductor may do with a stage (retry its work, judge again on resume, skip it after a
 * verdict). The serving canary and the verbosity gate run only when the plan has them.
 */
public enum Stage {
    SETUP(Kind.SETUP, null),
    PTQ(Kind.WORK, null),
    PTQ_GATE(Kind.GATE, PTQ),
    CANARY(Kind.WORK, null),
    CANARY_GATE(Kind.GATE, CANARY),
    BASELINE_EVAL(Kind.WORK, null),
    BASELINE_GATE(Kind.GATE, BASELINE_EVAL),
    QUANTIZED_EVAL(Kind.WORK, null),
    QUANTIZED_GATE(Kind.GATE, QUANTIZED_EVAL),
    COMPARE(Kind.VERDICT, null),
    VERBOSITY(Kind.GATE, null),
    CLOSEOUT(Kind.CLOSEOUT, null);

    /**
     * What a stage is: setup checks; work that produces evidence (done once, never redone once completed);
     * a gate or the verdict that judges evidence (judged again on every resume); closeout, which writes the
     * decision.
     */
    public enum Kind { SETUP, WORK, GATE, VERDICT, CLOSEOUT }

    private static final List<Stage> CHAIN = List.of(values());

    private final Kind kind;
    private final Stage work;

    Stage(Kind kind, Stage work) {
        this.kind = kind;
        this.work = work;
    }

    /** Every stage in chain order. */
    public static List<Stage> chain() {
        return CHAIN;
    }

    /** The stage with this key ({@code ptq_gate}), if there is one. */
    public static Optional<Stage> parse(String key) {
        for (Stage stage : CHAIN) {
            if (stage.key().equals(key)) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }

    /** Every key, comma-separated, for messages. */
    public static String keys() {
        return String.join(", ", CHAIN.stream().map(Stage::key).toList());
    }

    /** The stage's name in plans, state.json and logs. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Kind kind() {
        return kind;
    }

    /** 1-based position, for "[3/9]" progress lines. */
    public int position() {
        return ordinal() + 1;
    }

    public boolean isWork() {
        return kind == Kind.WORK;
    }

    /** A stage that judges evidence: a gate or the verdict. Its judgement is never taken from stored state. */
    public boolean judges() {
        return kind == Kind.GATE || kind == Kind.VERDICT;
    }

    /** A stage a plan may leave out: the serving canary (with its gate) and the verbosity gate. */
    public boolean optional() {
        return this == CANARY || this == CANARY_GATE || this == VERBOSITY;
    }

    /** The working stage a gate judges, or null for a stage that is not a gate (or judges no one stage's work). */
    public Stage work() {
        return work;
    }

    /** The stages after this one, up to but not including closeout. */
    public List<Stage> laterUntilCloseout() {
        return CHAIN.subList(ordinal() + 1, CLOSEOUT.ordinal());
    }

    @Override
    public String toString() {
        return key();
    }
}
