package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.jenkinsci.plugins.workflow.steps.TimeoutStepExecution

/**
 * timeout(time:, unit:) { }: runs the body; when something inside waits for ever (an input nobody answers), the
 * time runs out and the step throws what Jenkins throws then.
 */
class TimeoutFake implements StepFake {
    final List<Map> calls = []
    int depth

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('timeout', [Map, Closure]) { Map options, Closure body ->
            calls.add(options)
            depth++
            try {
                return jenkins.callClosure(body)
            } catch (InputFake.NoAnswer waiting) {
                long minutes = options.unit == 'MINUTES' ? (options.time as long) : 0L
                jenkins.sandbox?.advanceClock(minutes * 60000L)
                jenkins.log("Timeout has been exceeded (${options.time} ${options.unit})")
                throw new FlowInterruptedException(new TimeoutStepExecution.ExceededTimeout())
            } finally {
                depth--
            }
        }
    }
}
