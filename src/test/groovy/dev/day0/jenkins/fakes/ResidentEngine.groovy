package dev.day0.jenkins.fakes

import dev.day0.jenkins.RealEngine
import dev.day0.testing.Day0Process
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import java.util.concurrent.TimeUnit

/**
 * The built engine for the day0 steps' `sh` calls without a JVM start per call: one {@code EngineHost} JVM per
 * working directory runs every engine command line of the test, with the call's arguments (from DAY0_ARGS), its
 * environment and its directory, and writes its stdout to DAY0_STDOUT, as the runner script does with
 * `java -jar day0.jar`. Used for the calls that would run bin/day0 over the built jar; one test per Jenkins IT
 * file keeps the real path (the runner script, bin/day0, a JVM per call).
 */
class ResidentEngine implements Closeable {
    private final Map<File, Host> hosts = [:]

    /** True for the runner-script calls that would run the built engine through bin/day0. */
    static boolean handles(ShCall call) {
        return call.engine && !call.env.DAY0_ENGINE_PATH && call.env.DAY0_ENGINE == RealEngine.LAUNCHER.path
    }

    Map run(ShCall call) {
        List<String> args = resolve(call, call.env.DAY0_ARGS).getText('UTF-8').readLines()
        File stdout = resolve(call, call.env.DAY0_STDOUT)
        Map<String, String> env = RealShell.baseEnvironment()
        call.env.each { k, v ->
            if (v != null) {
                env[k] = v
            }
        }
        Map answer = host(call.cwd).run(args, env)
        stdout.parentFile.mkdirs()
        stdout.setText(answer.out as String, 'UTF-8')
        return [status: answer.status as int, stdout: '', output: (answer.err as String).trim()]
    }

    private static File resolve(ShCall call, String path) {
        File file = new File(path)
        return file.isAbsolute() ? file : new File(call.cwd, path)
    }

    private Host host(File cwd) {
        File key = cwd.canonicalFile
        if (!hosts.containsKey(key)) {
            hosts[key] = new Host(key)
        }
        return hosts[key]
    }

    @Override
    void close() {
        hosts.values().each { it.close() }
        hosts.clear()
    }

    private static class Host implements Closeable {
        final Process process
        final BufferedReader answers
        final Writer requests

        Host(File cwd) {
            String classes = new File(dev.day0.testing.EngineHost.protectionDomain.codeSource.location.toURI()).path
            List<String> command = ["${System.getProperty('java.home')}/bin/java".toString()]
            command.addAll(Day0Process.JVM_OPTIONS)
            command.addAll(['-cp', "${RealEngine.jar().path}:${classes}".toString(), 'dev.day0.testing.EngineHost'])
            ProcessBuilder builder = new ProcessBuilder(command).directory(cwd)
            builder.environment().clear()
            builder.environment().putAll(RealShell.baseEnvironment())
            builder.redirectError(ProcessBuilder.Redirect.INHERIT)
            process = builder.start()
            answers = new BufferedReader(new InputStreamReader(process.inputStream, 'UTF-8'))
            requests = new OutputStreamWriter(process.outputStream, 'UTF-8')
        }

        Map run(List<String> args, Map<String, String> env) {
            requests.write(JsonOutput.toJson([args: args, env: env]) + '\n')
            requests.flush()
            String line = answers.readLine()
            if (line == null) {
                throw new AssertionError((Object) "the engine host ended without answering: day0 ${args.join(' ')}")
            }
            return new JsonSlurper().parseText(line) as Map
        }

        @Override
        void close() {
            requests.close()
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly()
            }
        }
    }
}
