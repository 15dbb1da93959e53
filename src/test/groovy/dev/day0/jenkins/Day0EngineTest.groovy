package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.ShCall
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * How day0Engine finds the engine and hands it its arguments. The runner script really runs (sh -xe); the engine
 * here is a small launcher script that reports how it was called. Day0EngineIT runs the built jar, including the
 * pinned download.
 */
class Day0EngineTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins

    @Before
    void setUp() {
        kit = new Kit().withRealShell()
        jenkins = kit.plain(tmp.newFolder('run'))
    }

    /**
     * A launcher that writes each argument it received on its own line to argv.txt next to it, and prints which
     * engine ran as a JSON document.
     */
    private String launcher(String name) {
        File script = new File(tmp.root, name)
        File argv = new File(tmp.root, "${name}.argv.txt")
        script.text = '#!/bin/sh\n: > "' + argv.path + '"\nfor a in "$@"; do printf \'%s\\n\' "$a" >> "' + argv.path +
                '"; done\nprintf \'{"engine": "%s", "count": %s}\\n\' "' + name + '" "$#"\n' +
                'echo "day0 engine ' + name + ' ran" >&2\nexit 1\n'
        script.setExecutable(true)
        return script.path
    }

    private List<String> received(String name) {
        return new File(tmp.root, "${name}.argv.txt").readLines('UTF-8')
    }

    @Test
    void shouldRunTheEngineGivenAsArgumentWithExactlyTheArgumentsOfTheStep() {
        String engine = launcher('from-argument')
        jenkins.env.DAY0_ENGINE = launcher('from-environment')

        FakeJenkins.Run run = jenkins.run("""return node {
            day0Engine(command: ['gate', 'compare', '--baseline=scores/base "q" \\\\x.json', '  padded  ', '',
                                 '--published=\$HOME \$(id) `id` *.json; rm -rf /tmp/x'],
                       label: 'probe', engine: '${engine}')
        }""")

        assertThat(run.failure).isNull()
        assertThat(run.value.status).isEqualTo(1)
        assertThat(run.value.json).isEqualTo([engine: 'from-argument', count: 6])
        assertThat(received('from-argument')).containsExactly('gate', 'compare', '--baseline=scores/base "q" \\x.json',
                '  padded  ', '', '--published=$HOME $(id) `id` *.json; rm -rf /tmp/x')
        assertThat(EngineFake.decode(new File(jenkins.workspace, '.day0/calls/probe.args').getText('UTF-8')))
                .isEqualTo(received('from-argument'))
        assertThat(jenkins.logText()).contains('day0 engine from-argument ran')
    }

    @Test
    void shouldUseDayZeroEngineFromTheEnvironmentWhenNoEngineIsGiven() {
        jenkins.env.DAY0_ENGINE = launcher('from-environment')

        FakeJenkins.Run run = jenkins.run("return node { day0Engine(command: ['triage'], label: 'env') }")

        assertThat(run.value.json.engine).isEqualTo('from-environment')
    }

    @Test
    void shouldGiveTheEngineOnlyAFixedScriptAndEnvironmentVariables() {
        jenkins.env.DAY0_ENGINE = launcher('from-environment')

        jenkins.run("node { day0Engine(command: ['triage', '--failure-class=UNKNOWN'], label: 'fixed') }")

        ShCall call = kit.sh.engineCalls()[0]
        assertThat(call.script).isEqualTo(EngineFake.RUNNER)
        assertThat(call.script).doesNotContain('UNKNOWN')
        assertThat(call.env).containsEntry('DAY0_ARGS', '.day0/calls/fixed.args')
                .containsEntry('DAY0_STDOUT', '.day0/calls/fixed.out')
    }

    @Test
    void shouldSayHowToInstallTheEngineWhenThereIsNone() {
        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ['triage'], label: 'none') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains("pass engine: '/path/to/day0.jar'", 'set DAY0_ENGINE',
                'DAY0_ENGINE_REPOSITORY', 'dev.day0:day0:0.1.0', 'Java 17', 'docs/jenkins.md')
        assertThat(jenkins.logText()).contains('no engine configured')
    }

    @Test
    void shouldSayWhenTheGivenEngineIsNotOnTheAgent() {
        FakeJenkins.Run run = jenkins.run(
                "node { day0Engine(command: ['triage'], label: 'missing', engine: '/opt/nowhere/day0.jar') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.logText()).contains('engine jar /opt/nowhere/day0.jar does not exist on this agent')
        assertThat(run.message()).contains('could not be found or fetched')
    }

    @Test
    void shouldSayWhenTheDownloadCannotBeMade() {
        FakeJenkins.Run run = jenkins.run("""node {
            day0Engine(command: ['triage'], label: 'offline', engineRepository: 'http://127.0.0.1:1/maven2/')
        }""")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.logText()).contains('could not download http://127.0.0.1:1/maven2/dev/day0/day0/0.1.0/day0-0.1.0.jar')
        assertThat(new File(jenkins.workspace, '.day0/engine')).doesNotExist()
        assertThat(new File(jenkins.env.DAY0_ENGINE_CACHE_DIR as String).listFiles() ?: new File[0]).isEmpty()
    }

    @Test
    void shouldRefuseArgumentsThatCannotGoIntoTheArgumentFile() {
        FakeJenkins.Run newline = jenkins.run("node { day0Engine(command: ['gate', 'run', '--run=a\\nb'], engine: 'x') }")

        assertThat(newline.message()).contains('contains a line break')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldSayWhenTheEnginePrintsSomethingThatIsNotJson() {
        File garbage = new File(tmp.root, 'garbage')
        garbage.text = '#!/bin/sh\necho "Exception in thread main"\nexit 0\n'
        garbage.setExecutable(true)

        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ['triage'], engine: '${garbage.path}') }")

        assertThat(run.message()).contains('printed output that is not JSON (exit 0): Exception in thread main')
        assertThat(run.result).isEqualTo('FAILURE')
    }

    @Test
    void shouldRunUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit().withRealShell()
        FakeJenkins cps = cpsKit.cps(tmp.newFolder('cps'))
        cps.env.DAY0_ENGINE = launcher('cps-engine')

        FakeJenkins.Run run = cps.run("""
            Map result = null
            node { result = day0Engine(command: ['triage'], label: 'cps') }
            return result
        """)

        assertThat(run.failure).isNull()
        assertThat(run.value.json.engine).isEqualTo('cps-engine')
    }

    @Test
    void shouldPinAReleaseOfTheVersionThisRepositoryBuilds() {
        def pom = new XmlSlurper().parse(new File(FakeJenkins.PROJECT, 'pom.xml'))
        Properties pin = new Properties()
        new File(FakeJenkins.PROJECT, 'resources/dev/day0/jenkins/engine.properties').withReader('UTF-8') { pin.load(it) }

        assertThat(pin.getProperty('group')).isEqualTo(pom.groupId.text())
        assertThat(pin.getProperty('artifact')).isEqualTo(pom.artifactId.text())
        assertThat(pin.getProperty('version')).isEqualTo(pom.version.text())
        assertThat(pin.getProperty('sha256')).matches('[0-9a-f]{64}')
    }

    /** A directory with bin/java that reports the given version, as `java -version` prints it. */
    private File javaHome(String version) {
        File home = new File(tmp.root, "java-${version}")
        File java = new File(home, 'bin/java')
        java.parentFile.mkdirs()
        java.text = "#!/bin/sh\nif [ \"\$1\" = -version ]; then\n  echo 'openjdk version \"${version}\" 2021-01-19' >&2\n" +
                "  exit 0\nfi\necho \"java ran\" > '${home.path}/ran'\n"
        java.setExecutable(true)
        return home
    }

    @Test
    void shouldRefuseAJavaOlderThan17WithAClearMessage() {
        File jar = tmp.newFile('day0.jar')
        jenkins.env.JAVA_HOME = javaHome('11.0.2').path

        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ['triage'], engine: '${jar.path}') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.logText()).contains('the engine needs Java 17 or later', 'is Java 11')
        assertThat(run.message()).contains('needs Java 17 or later', 'JAVA_HOME')
        assertThat(new File(tmp.root, 'java-11.0.2/ran')).doesNotExist()
    }

    @Test
    void shouldRefuseJava8ReportedAsOnePointEight() {
        File jar = tmp.newFile('day0.jar')
        jenkins.env.JAVA_HOME = javaHome('1.8.0_292').path

        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ['triage'], engine: '${jar.path}') }")

        assertThat(jenkins.logText()).contains('is Java 8')
        assertThat(run.result).isEqualTo('FAILURE')
    }

    @Test
    void shouldRunTheEngineOfAToolInstallationGivenByName() {
        File home = tmp.newFolder('tools', 'day0-0.1.0')
        new File(home, 'bin').mkdirs()
        String launcher = launcher('tool-engine')
        new File(home, 'bin/day0').text = "#!/bin/sh\nexec '${launcher}' \"\$@\"\n"
        new File(home, 'bin/day0').setExecutable(true)
        kit.node.tools['day0'] = home.path
        jenkins.env.DAY0_ENGINE_TOOL = 'day0'

        FakeJenkins.Run run = jenkins.run("return node { day0Engine(command: ['triage'], label: 'tool') }")

        assertThat(run.failure).isNull()
        assertThat(run.value.json.engine).isEqualTo('tool-engine')
    }

    @Test
    void shouldRefuseWindowsAgentsWithAClearMessage() {
        kit.node.unix = false

        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ['triage'], engine: 'x') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('this agent runs Windows', 'Linux or macOS agent')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRefuseARepositoryUrlThatCarriesCredentials() {
        FakeJenkins.Run run = jenkins.run("""node {
            day0Engine(command: ['triage'], engineRepository: 'https://deploy:s3cr3t@repo.example/maven2/')
        }""")

        assertThat(run.message()).contains('carries credentials', 'DAY0_ENGINE_CREDENTIALS_ID')
        assertThat(jenkins.logText()).doesNotContain('s3cr3t')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldGiveRepositoryCredentialsToCurlOnItsInputNeverOnACommandLine() {
        File bin = tmp.newFolder('fake-bin')
        File seen = new File(tmp.root, 'curl-seen.txt')
        new File(bin, 'curl').text = "#!/bin/sh\necho \"ARGS \$*\" > '${seen.path}'\ncat >> '${seen.path}'\nexit 22\n"
        new File(bin, 'curl').setExecutable(true)
        CredentialsFake credentials = new CredentialsFake(['maven-deploy': 'deployer:p"a\\ss'])
        jenkins.with(credentials)
        jenkins.env.PATH = "${bin.path}:${System.getenv('PATH')}".toString()
        jenkins.env.DAY0_ENGINE_CREDENTIALS_ID = 'maven-deploy'

        FakeJenkins.Run run = jenkins.run("""node {
            day0Engine(command: ['triage'], engineRepository: 'http://127.0.0.1:1/maven2/')
        }""")

        assertThat(run.result).isEqualTo('FAILURE')
        String curl = seen.getText('UTF-8')
        assertThat(curl.readLines()[0]).startsWith('ARGS -K - ').doesNotContain('deployer').doesNotContain('p"a')
        assertThat(curl).contains('user = "deployer:p\\"a\\\\ss"')
        assertThat(jenkins.logText()).doesNotContain('p"a\\ss')
    }

    @Test
    void shouldRefuseToArchiveMoreThanTheEvidenceLimit() {
        File big = new File(jenkins.workspace, 'day0/rockie/ptq/artifacts/model.safetensors')
        big.parentFile.mkdirs()
        big.bytes = new byte[3 * 1024 * 1024]
        new File(jenkins.workspace, 'day0/rockie/ptq/artifacts/results.json').text = '{}'
        jenkins.env.DAY0_EVIDENCE_LIMIT_MB = '2'

        FakeJenkins.Run run = jenkins.run("node { day0Engine.archiveEvidence(artifacts: 'day0/rockie/ptq/**') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('refusing to archive day0/rockie/ptq/**: 2 file(s), 3.0 MB',
                'evidence limit of 2 MB', 'checkpoints stay where they were made',
                'Largest: day0/rockie/ptq/artifacts/model.safetensors (3.0 MB)')
        assertThat(kit.archive.calls).isEmpty()
    }

    @Test
    void shouldRefuseToStashMoreThanTheDefaultEvidenceLimit() {
        File big = new File(jenkins.workspace, 'models/nvfp4/model.safetensors')
        big.parentFile.mkdirs()
        new RandomAccessFile(big, 'rw').withCloseable { it.setLength(51L * 1024 * 1024) }

        FakeJenkins.Run run = jenkins.run("node { day0Engine.stashEvidence(name: 'ptq', includes: 'models/**') }")

        assertThat(run.message()).contains("refusing to stash 'ptq' models/**", 'evidence limit of 50 MB')
    }

    @Test
    void shouldArchiveEvidenceWithinTheLimit() {
        new File(jenkins.workspace, 'day0/ptq').mkdirs()
        new File(jenkins.workspace, 'day0/ptq/gate.json').text = '{"pass": true}'

        FakeJenkins.Run run = jenkins.run("node { day0Engine.archiveEvidence(artifacts: 'day0/ptq/**') }")

        assertThat(run.failure).isNull()
        assertThat(kit.archive.archived()).containsExactly('day0/ptq/gate.json')
    }
}
