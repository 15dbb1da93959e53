package dev.day0.jenkins.fakes

import dev.day0.cli.Day0
import groovy.json.JsonOutput

/**
 * A scripted day0 engine for the steps' unit tests: it reads the argument file the step wrote, as the engine
 * would, and answers with what the test scripted for that command. `day0 triage` is answered by the real engine
 * in this JVM (the real triage table). The built engine itself runs in JenkinsfileExampleIT.
 */
class EngineFake {
    static final String RUNNER = EngineFake.getResource('/dev/day0/jenkins/run-engine.sh') == null
            ? new File(System.getProperty('user.dir'), 'resources/dev/day0/jenkins/run-engine.sh').getText('UTF-8')
            : EngineFake.getResource('/dev/day0/jenkins/run-engine.sh').getText('UTF-8')

    /** One engine invocation: its arguments, decoded from the argument file. */
    static class Call {
        List<String> args
        File cwd
        Map<String, String> env

        String command() {
            return args.takeWhile { !it.startsWith('-') }.join(' ')
        }

        /** The value of --name=value, or null. */
        String opt(String name) {
            List<String> all = opts(name)
            return all.isEmpty() ? null : all.first()
        }

        List<String> opts(String name) {
            String prefix = "--${name}="
            return args.findAll { it.startsWith(prefix) }.collect { it.substring(prefix.length()) }
        }

        boolean flag(String name) {
            return args.contains("--${name}".toString())
        }

        File file(String path) {
            File f = new File(path)
            return f.isAbsolute() ? f : new File(cwd, path)
        }

        void writeJson(String path, Object value) {
            File f = file(path)
            f.parentFile.mkdirs()
            f.setText(JsonOutput.prettyPrint(JsonOutput.toJson(value)) + '\n', 'UTF-8')
        }
    }

    final List<Call> calls = []
    private final Map<String, Closure> handlers = [:]

    EngineFake() {
        handlers['triage'] = { Call call -> inProcess(call.args) }
    }

    /** Scripts the answer to a command ('gate ptq', 'report', 'rockie submit', ...): handler(call) -> [status:, stdout:]. */
    EngineFake on(String command, Closure handler) {
        handlers[command] = handler
        return this
    }

    List<Call> calls(String command) {
        return calls.findAll { it.command() == command }
    }

    Map answer(ShCall sh) {
        if (sh.script != RUNNER) {
            throw new AssertionError((Object) 'the engine was called with a script other than resources/dev/day0/jenkins/run-engine.sh')
        }
        Call call = new Call(args: decode(new File(sh.cwd, sh.env.DAY0_ARGS).getText('UTF-8')), cwd: sh.cwd, env: sh.env)
        calls.add(call)
        Closure handler = handlers[call.command()]
        if (handler == null) {
            throw new AssertionError((Object) "unexpected engine call: day0 ${call.args.join(' ')}")
        }
        Map result = handler(call) as Map
        File stdout = new File(sh.cwd, sh.env.DAY0_STDOUT)
        stdout.parentFile.mkdirs()
        Object out = result.stdout
        stdout.setText(out instanceof String ? out : (out == null ? '' : JsonOutput.toJson(out)), 'UTF-8')
        return [status: result.status ?: 0, output: result.stderr ?: '']
    }

    /** Runs a command line through the real engine in this JVM (for commands that read no relative paths). */
    static Map inProcess(List<String> args) {
        StringWriter out = new StringWriter()
        StringWriter err = new StringWriter()
        int status = Day0.execute(args as String[], new PrintWriter(out, true), new PrintWriter(err, true), [:])
        return [status: status, stdout: out.toString(), stderr: err.toString()]
    }

    /** The argument file as day0Engine writes it and the runner script reads it: one argument per line. */
    static List<String> decode(String text) {
        if (!text.endsWith('\n')) {
            throw new AssertionError((Object) 'the argument file does not end with a line break')
        }
        return text.substring(0, text.length() - 1).split('\n', -1) as List<String>
    }

    /** A gate verdict as the engine writes it, plus the report directory's files, for scripted gate answers. */
    /**
     * The decision the real engine records for one gate's report: compare's own decision, else the triage table's
     * decision with no options left for a failed gate, and NEEDS_HUMAN for a passed ptq or run gate (no compare).
     */
    static String recordedDecision(Map verdict) {
        if (verdict.decision) {
            return verdict.decision as String
        }
        if (verdict.pass) {
            return 'NEEDS_HUMAN'
        }
        dev.day0.core.FailureClass failureClass = dev.day0.core.FailureClass.parse(verdict.failure_class as String)
                .orElse(dev.day0.core.FailureClass.UNKNOWN)
        return dev.day0.triage.TriageTable.finalDecision(failureClass).name()
    }

    static Map gate(Call call, Map verdict) {
        call.writeJson(call.opt('out'), verdict)
        String dir = call.opt('report-dir')
        if (dir) {
            call.writeJson("${dir}/decision.json", [schema: 'day0.decision/1', decision: recordedDecision(verdict),
                                                    failure_class: verdict.failure_class, detail: verdict.detail])
            call.file("${dir}/report.md").setText("# day0 ${call.opt('stage')}\n\n${verdict.detail}\n", 'UTF-8')
            String failure = verdict.pass ? '' : "<failure message=\"${verdict.detail}\"/>"
            call.file("${dir}/junit.xml").setText("<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"day0." +
                    "${call.opt('stage')}\"><testcase classname=\"day0.${call.opt('stage')}\" name=\"gate\">" +
                    "${failure}</testcase></testsuite></testsuites>\n", 'UTF-8')
        }
        return [status: verdict.pass ? 0 : 1]
    }
}
