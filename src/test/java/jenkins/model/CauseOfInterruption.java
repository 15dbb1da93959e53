package jenkins.model;

import java.io.Serializable;

/**
 * Test stand-in for Jenkins core's {@code jenkins.model.CauseOfInterruption}: why a build or step was interrupted.
 * The Jenkins test harness is not on Maven Central, so the library's tests use these look-alikes with the same
 * names and the methods the library calls.
 */
public abstract class CauseOfInterruption implements Serializable {
    private static final long serialVersionUID = 1L;

    public abstract String getShortDescription();

    /** Someone pressed the build's abort button. */
    public static final class UserInterruption extends CauseOfInterruption {
        private static final long serialVersionUID = 1L;
        private final String user;

        public UserInterruption(String user) {
            this.user = user;
        }

        @Override
        public String getShortDescription() {
            return "Aborted by " + user;
        }
    }
}
