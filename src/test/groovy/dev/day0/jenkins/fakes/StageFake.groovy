package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** stage(name) { }: records the stages in the order they ran. */
class StageFake implements StepFake {
    final List<String> names = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('stage', [String, Closure]) { String name, Closure body ->
            names.add(name)
            jenkins.log("[Pipeline] { (${name})")
            return jenkins.callClosure(body)
        }
    }
}
