package dev.day0.jenkins.fakes

import java.util.concurrent.TimeUnit

/** Runs an sh call's script for real, as Jenkins' durable task does: `sh -xe script`, in the call's directory. */
class RealShell {
    static final long TIMEOUT_SECONDS = 180

    /** The agent's environment before the build adds to it: PATH (with this JVM's java first), HOME, LANG... */
    static Map<String, String> baseEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv())
        environment.keySet().retainAll(['PATH', 'HOME', 'LANG', 'TMPDIR', 'USER'])
        environment.JAVA_HOME = System.getProperty('java.home')
        environment.PATH = "${System.getProperty('java.home')}/bin:${environment.PATH ?: '/usr/bin:/bin'}".toString()
        return environment
    }

    static Map run(ShCall call) {
        File script = File.createTempFile('day0-sh', '.sh')
        File out = File.createTempFile('day0-sh', '.out')
        File err = File.createTempFile('day0-sh', '.err')
        try {
            script.setText(call.script, 'UTF-8')
            ProcessBuilder builder = new ProcessBuilder('/bin/sh', '-xe', script.path).directory(call.cwd)
            Map<String, String> environment = builder.environment()
            environment.clear()
            environment.putAll(baseEnvironment())
            call.env.each { k, v ->
                if (v != null) {
                    environment[k] = v
                }
            }
            builder.redirectOutput(out).redirectError(err)
            Process process = builder.start()
            process.outputStream.close()
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly()
                throw new AssertionError((Object) "sh did not finish in ${TIMEOUT_SECONDS} s: ${call.script}")
            }
            String stdout = out.getText('UTF-8')
            String stderr = err.getText('UTF-8')
            return [status: process.exitValue(), stdout: stdout, output: stderr.trim()]
        } finally {
            script.delete()
            out.delete()
            err.delete()
        }
    }
}
