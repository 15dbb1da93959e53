package org.jenkinsci.plugins.workflow.support.steps.input;

import hudson.model.User;
import jenkins.model.CauseOfInterruption;

/** Test stand-in for pipeline-input-step's cause: someone pressed the input's abort button. */
public final class Rejection extends CauseOfInterruption {
    private static final long serialVersionUID = 1L;
    private final User user;

    public Rejection(User user) {
        this.user = user;
    }

    public User getUser() {
        return user;
    }

    @Override
    public String getShortDescription() {
        return "Rejected by " + (user == null ? "?" : user.getId());
    }
}
