package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** sleep(time:, unit:): records the wait without waiting. */
class SleepFake implements StepFake {
    final List<Map> waits = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('sleep', [Map]) { Map options -> waits.add(options) }
    }
}
