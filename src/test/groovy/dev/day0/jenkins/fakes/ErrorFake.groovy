package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** error(message): throws, as Jenkins does, so nothing after it runs. */
class ErrorFake implements StepFake {
    final List<String> messages = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('error', [String]) { String message ->
            messages.add(message)
            throw new AbortException(message)
        }
    }
}
