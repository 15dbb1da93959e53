package dev.day0.redact;

/**
 * What a text must show before one of {@link Redactor}'s rules runs its expression on it: all of some separators,
 * one of others, a long enough run of token or base64 characters, and one of some literals (in case, or ignoring
 * it). Data, not a lambda per rule: linking 35 lambdas was about half of the redactor's start-up, which every
 * command pays.
 */
final class Guard {
    static final int EQUALS = 1;
    static final int COLON = 2;
    static final int AT = 4;
    static final int PERCENT = 8;
    static final int DOUBLE_DASH = 16;
    private static final String[] NO_LITERAL = {};

    private final int allMarks;
    private final int oneOfMarks;
    private final int wordRun;
    private final int base64Run;
    /** One of these must occur; none listed means none is needed. */
    private final String[] literals;
    private final boolean ignoreCase;

    private Guard(int allMarks, int oneOfMarks, int wordRun, int base64Run, String[] literals,
            boolean ignoreCase) {
        this.allMarks = allMarks;
        this.oneOfMarks = oneOfMarks;
        this.wordRun = wordRun;
        this.base64Run = base64Run;
        this.literals = literals;
        this.ignoreCase = ignoreCase;
    }

    static Guard literal(String... oneOf) {
        return new Guard(0, 0, 0, 0, oneOf, false);
    }

    /** One of {@code oneOfLower}, written in lower case, in any case. */
    static Guard literalIgnoringCase(String... oneOfLower) {
        return new Guard(0, 0, 0, 0, oneOfLower, true);
    }

    static Guard marks(int all) {
        return new Guard(all, 0, 0, 0, NO_LITERAL, false);
    }

    static Guard wordRun(int atLeast) {
        return new Guard(0, 0, atLeast, 0, NO_LITERAL, false);
    }

    static Guard base64Run(int atLeast) {
        return new Guard(0, 0, 0, atLeast, NO_LITERAL, false);
    }

    /** This guard, and the text must also hold {@code mark}. */
    Guard and(int mark) {
        return new Guard(allMarks | mark, oneOfMarks, wordRun, base64Run, literals, ignoreCase);
    }

    /** This guard, and the text must also hold one of {@code marks}. */
    Guard andOneOf(int marks) {
        return new Guard(allMarks, oneOfMarks | marks, wordRun, base64Run, literals, ignoreCase);
    }

    boolean admits(Redactor.Scan scan) {
        if ((scan.marks & allMarks) != allMarks || oneOfMarks != 0 && (scan.marks & oneOfMarks) == 0
                || scan.wordRun < wordRun || scan.base64Run < base64Run) {
            return false;
        }
        if (literals.length == 0) {
            return true;
        }
        return ignoreCase ? scan.containsAnyIgnoringCase(literals) : scan.containsAny(literals);
    }
}
