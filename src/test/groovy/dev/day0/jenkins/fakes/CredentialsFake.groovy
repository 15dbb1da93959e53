package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/**
 * withCredentials([string(credentialsId:, variable:)]) { }: the secret is in the environment inside the block only.
 * Unknown ids fail as in Jenkins. Unlike Jenkins the log is not masked, so a test sees any leak.
 */
class CredentialsFake implements StepFake {
    final Map<String, String> secrets
    final List<String> used = []

    CredentialsFake(Map<String, String> secrets) {
        this.secrets = secrets
    }

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('string', [Map]) { Map options -> [symbol: 'string'] + options }
        jenkins.step('usernamePassword', [Map]) { Map options -> [symbol: 'usernamePassword'] + options }
        jenkins.step('withCredentials', [List, Closure]) { List bindings, Closure body ->
            Map saved = new LinkedHashMap(jenkins.env)
            bindings.each { Map binding ->
                String id = binding.credentialsId
                if (!secrets.containsKey(id)) {
                    throw new AbortException("Could not find credentials entry with ID '${id}'")
                }
                used.add(id)
                if (binding.symbol == 'usernamePassword') {
                    // A username/password credential is kept here as 'user:password'.
                    List<String> parts = secrets[id].split(':', 2) as List<String>
                    jenkins.env[binding.usernameVariable] = parts[0]
                    jenkins.env[binding.passwordVariable] = parts[1]
                } else {
                    jenkins.env[binding.variable] = secrets[id]
                }
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
