package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** node { } and node(label) { }: an executor on an agent, with NODE_NAME and WORKSPACE set inside. */
class NodeFake implements StepFake {
    final List<String> labels = []
    int open
    /** The agent's operating system as isUnix() reports it. */
    boolean unix = true
    /** tool(name:): the installations this Jenkins has, name to home directory on the agent. */
    final Map<String, String> tools = [:]

    @Override
    void install(FakeJenkins jenkins) {
        Closure enter = { String label, Closure body ->
            labels.add(label)
            Map saved = new LinkedHashMap(jenkins.env)
            jenkins.env.NODE_NAME = 'agent-1'
            jenkins.env.WORKSPACE = jenkins.workspace.path
            open++
            try {
                return jenkins.callClosure(body)
            } finally {
                open--
                jenkins.env.clear()
                jenkins.env.putAll(saved)
            }
        }
        jenkins.step('isUnix', []) { -> unix }
        jenkins.step('tool', [Map]) { Map options ->
            if (!tools.containsKey(options.name)) {
                throw new AbortException("No tool named ${options.name} found")
            }
            return tools[options.name]
        }
        jenkins.step('node', [Closure]) { Closure body -> enter(null, body) }
        jenkins.step('node', [String, Closure]) { String label, Closure body -> enter(label, body) }
    }
}
