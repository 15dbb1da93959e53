package org.jenkinsci.plugins.workflow.steps;

import jenkins.model.CauseOfInterruption;

/** Test stand-in for workflow-basic-steps' timeout step: only its cause of interruption. */
public final class TimeoutStepExecution {
    private TimeoutStepExecution() {
    }

    /** The cause {@code timeout} gives when the time is up. */
    public static final class ExceededTimeout extends CauseOfInterruption {
        private static final long serialVersionUID = 1L;

        @Override
        public String getShortDescription() {
            return "Timeout has been exceeded";
        }
    }
}
