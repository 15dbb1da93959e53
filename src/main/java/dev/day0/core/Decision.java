package dev.day0.core;

/** The answer day0 gives for a release or a research run. */
public enum Decision {
    /** Every gate passed: the candidate may be published. */
    ACCEPT("publish"),
    /** The candidate is measurably worse than the baseline beyond the threshold. */
    REGRESSION("do-not-publish"),
    /** The evidence itself is implausible or inconsistent: nothing can be concluded from it. */
    ANOMALOUS("do-not-publish"),
    /** The recipe or model cannot produce a valid candidate. */
    INFEASIBLE("do-not-publish"),
    /** A person must look before anything else happens. */
    NEEDS_HUMAN("needs-human"),
    /** The infrastructure failed repeatedly: the result says nothing about the model. */
    SYSTEMIC("do-not-publish");

    private final String publishRecommendation;

    Decision(String publishRecommendation) {
        this.publishRecommendation = publishRecommendation;
    }

    /** publish, do-not-publish or needs-human. */
    public String publishRecommendation() {
        return publishRecommendation;
    }
}
