package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** One Jenkins step (or a few that belong together), registered on a FakeJenkins run and recording its calls. */
interface StepFake {
    void install(FakeJenkins jenkins)
}
