package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/**
 * The Badge plugin 3.x steps. installed(): badges are kept per id as the plugin does. missing(): every badge step
 * fails as Jenkins' DSL fails for a step no installed plugin provides.
 */
class BadgeFake implements StepFake {
    static final List<String> STEPS = ['addBadge', 'addInfoBadge', 'addWarningBadge', 'addErrorBadge', 'removeBadges']

    final boolean present
    final List<Map> badges = []
    final List<String> attempted = []

    private BadgeFake(boolean present) {
        this.present = present
    }

    static BadgeFake installed() {
        return new BadgeFake(true)
    }

    static BadgeFake missing() {
        return new BadgeFake(false)
    }

    @Override
    void install(FakeJenkins jenkins) {
        STEPS.each { String step ->
            jenkins.step(step, [Map]) { Map options ->
                attempted.add(step)
                if (!present) {
                    throw new NoSuchMethodError("No such DSL method '${step}' found among steps [archiveArtifacts, " +
                            'echo, error, input, junit, node, sh, stage, timeout, withCredentials, withEnv]')
                }
                if (step == 'removeBadges') {
                    badges.removeAll { options.id == null || it.id == options.id }
                } else {
                    badges.add(options + [kind: step])
                }
                return null
            }
        }
    }
}
