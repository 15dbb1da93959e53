package dev.day0.jenkins.fakes

/** One recorded sh call: the script as given, the environment and directory it ran in, and what it returned. */
class ShCall {
    String script
    Map<String, String> env
    File cwd
    boolean returnStatus
    boolean returnStdout
    String label
    int status
    String stdout = ''
    String output = ''

    /** True for the day0 engine runner (vars/day0Engine.groovy): its arguments are in a file named by DAY0_ARGS. */
    boolean isEngine() {
        return env.containsKey('DAY0_ARGS')
    }

    @Override
    String toString() {
        return "sh ${label ?: ''} [${script.readLines().first()}...] -> ${status}"
    }
}
