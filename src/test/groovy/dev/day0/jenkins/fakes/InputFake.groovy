package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import hudson.model.User
import jenkins.model.CauseOfInterruption
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.jenkinsci.plugins.workflow.support.steps.input.Rejection

/**
 * input(message:, id:, ok:, submitter:, submitterParameter:, parameters:) answered by the test, one answer per
 * input in order. The return value follows Jenkins: the bare value when exactly one value is returned, a Map when
 * several, null when none. Only a user named in `submitter` can approve; anyone else leaves the input waiting.
 */
class InputFake implements StepFake {
    /** Thrown while an input waits with nobody answering; the timeout step turns it into its interruption. */
    static class NoAnswer extends RuntimeException {
        NoAnswer(String message) {
            super(message)
        }
    }

    final List<Map> requests = []
    final List<Map> answers = []
    private final TimeoutFake timeout

    InputFake(TimeoutFake timeout) {
        this.timeout = timeout
    }

    InputFake approve(String user, Map values = [:]) {
        answers.add([kind: 'approve', user: user, values: values])
        return this
    }

    /** The input's Abort button (a Rejection). */
    InputFake reject(String user) {
        answers.add([kind: 'reject', user: user])
        return this
    }

    /** A listed approver submits the form with the decision field set to Reject. */
    InputFake rejectInForm(String user) {
        answers.add([kind: 'approve', user: user, values: [DAY0_DECISION: 'Reject']])
        return this
    }

    /** A Jenkins administrator, who may submit any input whatever its submitter list says. */
    InputFake approveAsAdministrator(String user, Map values = [:]) {
        answers.add([kind: 'approve', user: user, values: values, administrator: true])
        return this
    }

    /** Someone aborts the whole build while the input waits (not an answer to the input). */
    InputFake abortBuild(String user) {
        answers.add([kind: 'abort', user: user])
        return this
    }

    InputFake noAnswer() {
        answers.add([kind: 'none'])
        return this
    }

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('input', [Map]) { Map options ->
            requests.add(options + [insideNode: jenkins.env.NODE_NAME != null, insideTimeout: timeout.depth > 0])
            jenkins.log("${options.message}\n${options.ok ?: 'Proceed'} or Abort")
            Map answer = answers.isEmpty() ? [kind: 'none'] : answers.remove(0)
            // pipeline-input-step compares submitter ids case-insensitively (groups are not modelled here).
            List<String> allowed = (options.submitter ?: '').toString().split(',')*.trim().findAll { it }*.toLowerCase()
            if (answer.kind == 'approve' && !answer.administrator && !allowed.isEmpty()
                    && !allowed.contains(answer.user.toString().toLowerCase())) {
                answer = [kind: 'none']
            }
            if (answer.kind == 'none') {
                if (timeout.depth == 0) {
                    throw new AssertionError((Object) 'the input waits for ever: no timeout around it')
                }
                throw new NoAnswer('nobody answered')
            }
            if (answer.kind == 'abort') {
                jenkins.log("Aborted by ${answer.user}")
                throw new FlowInterruptedException(new CauseOfInterruption.UserInterruption(answer.user as String))
            }
            if (answer.kind == 'reject') {
                jenkins.log("Rejected by ${answer.user}")
                throw new FlowInterruptedException(new Rejection(new User(answer.user as String)))
            }
            jenkins.log("Approved by ${answer.user}")
            Map values = [:]
            (options.parameters ?: []).each { Map parameter ->
                Object preset = parameter.symbol == 'choice' ? (parameter.choices as List)[0] : parameter.defaultValue
                values[parameter.name] = answer.values.containsKey(parameter.name) ? answer.values[parameter.name]
                        : preset
            }
            if (options.submitterParameter) {
                values[options.submitterParameter] = answer.user
            }
            if (values.isEmpty()) {
                return null
            }
            return values.size() == 1 ? values.values().first() : values
        }
        jenkins.step('string', [Map]) { Map options -> [symbol: 'string'] + options }
        jenkins.step('choice', [Map]) { Map options -> [symbol: 'choice'] + options }
    }
}
