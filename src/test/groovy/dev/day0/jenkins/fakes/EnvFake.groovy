package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** withEnv(['K=V']) { }: the variables hold inside the block only. */
class EnvFake implements StepFake {
    final List<List<String>> blocks = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('withEnv', [List, Closure]) { List entries, Closure body ->
            blocks.add(entries.collect { it.toString() })
            Map saved = new LinkedHashMap(jenkins.env)
            entries.each { entry ->
                String text = entry.toString()
                int eq = text.indexOf('=')
                jenkins.env[text.substring(0, eq)] = text.substring(eq + 1)
            }
            try {
                return jenkins.callClosure(body)
            } finally {
                jenkins.env.clear()
                jenkins.env.putAll(saved)
            }
        }
    }
}
