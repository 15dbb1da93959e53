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
    /** Agents other than agent-1, by label: [name:, workspace: File]; node(label) of one enters it. */
    final Map<String, Map> agents = [:]
    /** Each node block entered: [label:, name:], in order. */
    final List<Map> visits = []

    /** Another agent, with a workspace of its own, for node(label). */
    NodeFake agent(String label, String name, File workspace) {
        workspace.mkdirs()
        agents[label] = [name: name, workspace: workspace]
        return this
    }

    @Override
    void install(FakeJenkins jenkins) {
        Closure enter = { String label, Closure body ->
            labels.add(label)
            Map saved = new LinkedHashMap(jenkins.env)
            File savedWorkspace = jenkins.agentWorkspace
            List<String> savedDirs = new ArrayList<>(jenkins.dirs)
            Map other = label == null ? null : agents[label]
            jenkins.env.NODE_NAME = other ? other.name : 'agent-1'
            jenkins.env.WORKSPACE = other ? (other.workspace as File).path : jenkins.workspace.path
            visits.add([label: label, name: jenkins.env.NODE_NAME])
            // A node block starts in that agent's workspace, whatever dir() the caller was in.
            jenkins.agentWorkspace = other ? other.workspace as File : null
            jenkins.dirs.clear()
            open++
            try {
                return jenkins.callClosure(body)
            } finally {
                open--
                jenkins.env.clear()
                jenkins.env.putAll(saved)
                jenkins.agentWorkspace = savedWorkspace
                jenkins.dirs.clear()
                jenkins.dirs.addAll(savedDirs)
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
