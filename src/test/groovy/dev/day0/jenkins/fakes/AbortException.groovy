package dev.day0.jenkins.fakes

/** What Jenkins' error step and a failing sh throw (hudson.AbortException there): ends the build as FAILURE. */
class AbortException extends RuntimeException {
    AbortException(String message) {
        super(message)
    }
}
