package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/**
 * sh(script) and sh(script:, returnStatus:, returnStdout:, label:): every call is recorded with its environment;
 * what happens is up to the responders the test adds (first match wins). A call nobody answers fails the test.
 * A non-zero exit without returnStatus throws as in Jenkins.
 */
class ShFake implements StepFake {
    final List<ShCall> calls = []
    private final List<Map> responders = []

    /** Answers the calls for which `when` is true with `respond(call)` -> [status:, stdout:, output:]. */
    ShFake respond(Closure when, Closure respond) {
        responders.add([when: when, respond: respond])
        return this
    }

    /** Routes the day0 engine runner's calls to a scripted engine. */
    ShFake engine(EngineFake engine) {
        return respond({ ShCall call -> call.engine }, { ShCall call -> engine.answer(call) })
    }

    /** Runs the calls that would start bin/day0 over the built jar in a resident engine JVM (see ResidentEngine). */
    ShFake residentEngine(ResidentEngine engine) {
        return respond({ ShCall call -> ResidentEngine.handles(call) }, { ShCall call -> engine.run(call) })
    }

    /** Runs every other call for real, with /bin/sh -xe as Jenkins does. */
    ShFake realShell() {
        return respond({ ShCall call -> true }, { ShCall call -> RealShell.run(call) })
    }

    List<ShCall> engineCalls() {
        return calls.findAll { it.engine }
    }

    @Override
    void install(FakeJenkins jenkins) {
        Closure execute = { Map options ->
            ShCall call = new ShCall(script: options.script as String,
                    env: jenkins.env.collectEntries { k, v -> [(k.toString()): v == null ? null : v.toString()] },
                    cwd: jenkins.cwd(), returnStatus: options.returnStatus == true,
                    returnStdout: options.returnStdout == true, label: options.label as String)
            calls.add(call)
            if (jenkins.env.NODE_NAME == null) {
                throw new AbortException('Required context class hudson.FilePath is missing: sh runs inside node')
            }
            Map responder = responders.find { it.when(call) }
            if (responder == null) {
                throw new AssertionError((Object) "unexpected sh call: ${call.script}")
            }
            Map answer = responder.respond(call) as Map
            call.status = (answer.status ?: 0) as int
            call.stdout = (answer.stdout ?: '') as String
            call.output = (answer.output ?: '') as String
            if (call.output) {
                jenkins.log(call.output)
            }
            if (!call.returnStdout && call.stdout) {
                jenkins.log(call.stdout)
            }
            if (call.returnStatus) {
                return call.status
            }
            if (call.status != 0) {
                throw new AbortException("script returned exit code ${call.status}")
            }
            return call.returnStdout ? call.stdout : null
        }
        jenkins.step('sh', [String]) { String script -> execute([script: script]) }
        jenkins.step('sh', [Map]) { Map options -> execute(options) }
    }
}
