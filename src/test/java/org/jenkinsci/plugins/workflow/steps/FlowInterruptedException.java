package org.jenkinsci.plugins.workflow.steps;

import java.util.Arrays;
import java.util.List;
import jenkins.model.CauseOfInterruption;

/**
 * Test stand-in for workflow-step-api's exception: what {@code input} throws when rejected and {@code timeout}
 * throws when it expires, carrying the causes.
 */
public final class FlowInterruptedException extends InterruptedException {
    private static final long serialVersionUID = 1L;
    private final List<CauseOfInterruption> causes;

    public FlowInterruptedException(CauseOfInterruption... causes) {
        super(causes.length == 0 ? "interrupted" : causes[0].getShortDescription());
        this.causes = Arrays.asList(causes);
    }

    public List<CauseOfInterruption> getCauses() {
        return causes;
    }
}
