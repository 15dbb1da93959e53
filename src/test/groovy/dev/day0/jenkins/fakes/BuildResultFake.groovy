package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** unstable(message) and catchError(buildResult:, stageResult:) { }: the two ways a step sets a result and goes on. */
class BuildResultFake implements StepFake {
    final List<String> unstableMessages = []
    final List<String> caught = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('unstable', [String]) { String message ->
            unstableMessages.add(message)
            jenkins.log("WARNING: ${message}")
            jenkins.result('UNSTABLE')
        }
        jenkins.step('catchError', [Map, Closure]) { Map options, Closure body ->
            try {
                jenkins.callClosure(body)
            } catch (AbortException failure) {
                caught.add(failure.message)
                jenkins.log("ERROR: ${failure.message}")
                jenkins.result((options.buildResult ?: 'FAILURE') as String)
            }
        }
    }
}
