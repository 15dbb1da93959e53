package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** echo(message): one line in the log. */
class EchoFake implements StepFake {
    final List<String> lines = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('echo', [String]) { String line ->
            lines.add(line)
            jenkins.log(line)
        }
    }
}
