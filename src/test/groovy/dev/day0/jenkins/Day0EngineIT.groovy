package dev.day0.jenkins

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import dev.day0.io.FileDigest
import java.util.concurrent.atomic.AtomicInteger
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * The pinned download: no engine on the agent, a Maven repository on 127.0.0.1 serving the built jar, and a pin
 * that either matches it or not. The runner script really runs (curl or wget, sha256sum or shasum).
 */
class Day0EngineIT {
    static final String PATH = '/maven2/dev/day0/day0/0.1.0/day0-0.1.0.jar'

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    HttpServer server
    AtomicInteger downloads = new AtomicInteger()
    Kit kit
    FakeJenkins jenkins

    @Before
    void setUp() {
        byte[] jar = RealEngine.jar().bytes
        server = HttpServer.create(new InetSocketAddress(InetAddress.loopbackAddress, 0), 0)
        server.createContext('/') { HttpExchange exchange ->
            if (exchange.requestURI.path == PATH) {
                downloads.incrementAndGet()
                exchange.sendResponseHeaders(200, jar.length)
                exchange.responseBody.write(jar)
            } else {
                exchange.sendResponseHeaders(404, -1)
            }
            exchange.close()
        }
        server.start()
        kit = new Kit().withRealShell()
        jenkins = kit.plain(tmp.root)
    }

    @After
    void tearDown() {
        server.stop(0)
    }

    /** Serves this pin instead of the one in resources/ (the runner script stays the real one). */
    private void pin(String sha256) {
        String runner = new File(FakeJenkins.PROJECT, 'resources/dev/day0/jenkins/run-engine.sh').getText('UTF-8')
        jenkins.step('libraryResource', [String]) { String path ->
            path.endsWith('engine.properties') ?
                    "group=dev.day0\nartifact=day0\nversion=0.1.0\nsha256=${sha256}\n".toString() : runner
        }
    }

    private String repository() {
        return "http://127.0.0.1:${server.address.port}/maven2/"
    }

    private static final String TRIAGE = "['triage', '--failure-class=INFRA_TRANSIENT', '--attempt=1']"

    @Test
    void shouldDownloadThePinnedReleaseCheckItAndRunItOnce() {
        pin(FileDigest.sha256(RealEngine.jar().toPath()))

        FakeJenkins.Run run = jenkins.run("""return node {
            [day0Engine(command: ${TRIAGE}, label: 'first', engineRepository: '${repository()}'),
             day0Engine(command: ${TRIAGE}, label: 'second', engineRepository: '${repository()}')]
        }""")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value*.json*.retry).containsExactly(true, true)
        assertThat(downloads.get()).isEqualTo(1)
        File cached = cachedJar(FileDigest.sha256(RealEngine.jar().toPath()))
        // Kept per agent, outside the workspace: every job on the agent shares the verified download.
        assertThat(cached.path).doesNotStartWith(jenkins.workspace.path)
        assertThat(FileDigest.sha256(cached.toPath())).isEqualTo(FileDigest.sha256(RealEngine.jar().toPath()))
        assertThat(jenkins.logText()).contains("day0: downloading the pinned engine from ${repository()}dev/day0/day0/0.1.0/day0-0.1.0.jar")
    }

    @Test
    void shouldTakeTheRepositoryFromTheEnvironment() {
        pin(FileDigest.sha256(RealEngine.jar().toPath()))
        jenkins.env.DAY0_ENGINE_REPOSITORY = repository()

        FakeJenkins.Run run = jenkins.run("return node { day0Engine(command: ${TRIAGE}) }")

        assertThat(run.value.json.action).contains('retry the stage once')
        assertThat(downloads.get()).isEqualTo(1)
    }

    @Test
    void shouldRefuseADownloadThatDoesNotMatchThePin() {
        pin('0' * 64)

        FakeJenkins.Run run = jenkins.run("node { day0Engine(command: ${TRIAGE}, engineRepository: '${repository()}') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.logText()).contains('day0: refusing the downloaded engine: its sha256 is',
                "the library pins ${'0' * 64}")
        assertThat(run.message()).contains('DAY0_ENGINE_REPOSITORY', 'dev.day0:day0:0.1.0')
        assertThat(new File(jenkins.env.DAY0_ENGINE_CACHE_DIR as String).listFiles() ?: new File[0]).isEmpty()
    }

    @Test
    void shouldFetchAgainWhenTheCachedJarNoLongerMatches() {
        pin(FileDigest.sha256(RealEngine.jar().toPath()))
        File cached = cachedJar(FileDigest.sha256(RealEngine.jar().toPath()))
        cached.parentFile.mkdirs()
        cached.text = 'tampered'

        FakeJenkins.Run run = jenkins.run("return node { day0Engine(command: ${TRIAGE}, engineRepository: '${repository()}') }")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(downloads.get()).isEqualTo(1)
        assertThat(cached.length()).isEqualTo(RealEngine.jar().length())
    }

    @Test
    void shouldPreferAnEngineOnTheAgentToTheDownload() {
        pin(FileDigest.sha256(RealEngine.jar().toPath()))

        FakeJenkins.Run run = jenkins.run("""return node {
            day0Engine(command: ${TRIAGE}, engine: '${RealEngine.jar().path}', engineRepository: '${repository()}')
        }""")

        assertThat(run.value.json.retry).isTrue()
        assertThat(downloads.get()).isZero()
    }

    /** Where the agent keeps the verified download of the release with this sha256. */
    private File cachedJar(String sha256) {
        return new File(jenkins.env.DAY0_ENGINE_CACHE_DIR as String, "day0-0.1.0-${sha256.substring(0, 12)}.jar")
    }
}
