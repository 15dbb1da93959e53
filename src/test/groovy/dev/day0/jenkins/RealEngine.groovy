package dev.day0.jenkins

/** Points a run at the built engine (bin/day0 over target/day0.jar), as an agent with DAY0_ENGINE set would be. */
class RealEngine {
    static final File LAUNCHER = new File(FakeJenkins.PROJECT, 'bin/day0')

    static File jar() {
        File jar = new File(System.getProperty('day0.jar') ?: new File(FakeJenkins.PROJECT, 'target/day0.jar').path)
        if (!jar.isFile()) {
            throw new IllegalStateException("no engine jar at ${jar}: run 'mvn package' first")
        }
        return jar.absoluteFile
    }

    /** DAY0_ENGINE and DAY0_JAR in the run's environment, and an approval ledger of the run's own. */
    static void install(FakeJenkins jenkins) {
        jenkins.env.DAY0_ENGINE = LAUNCHER.path
        jenkins.env.DAY0_JAR = jar().path
        jenkins.env.DAY0_ROCKIE_LEDGER_DIR = new File(jenkins.scratch, 'rockie-ledger').path
    }
}
