package dev.day0.jenkins

import com.lesfurets.jenkins.unit.BasePipelineTest
import com.lesfurets.jenkins.unit.cps.BasePipelineTestCPS
import com.lesfurets.jenkins.unit.global.lib.SourceRetriever
import dev.day0.jenkins.fakes.StepFake
import java.nio.file.Files
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.kohsuke.groovy.sandbox.SandboxTransformer

import static com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration.library

/**
 * A pipeline run under JenkinsPipelineUnit with this repository loaded as the shared library 'day0', a real
 * workspace directory, and the Jenkins steps that a test composes from small fakes (one per step, see fakes/).
 * Steps nobody installed are not there, as on a Jenkins without the plugin.
 *
 * <p>How a step test uses it (see {@link Kit} for the usual fakes):
 * <pre>
 * &#64;Rule public TemporaryFolder tmp = new TemporaryFolder()
 * Kit kit = new Kit()
 * FakeJenkins jenkins = kit.plain(tmp.root)          // or kit.cps(tmp.root) for Jenkins' CPS mode
 * kit.engine.on('gate ptq') { call -> EngineFake.gate(call, [pass: true]) }
 * FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'ptq', summary: 's.json') }")
 * assertThat(run.result).isEqualTo('SUCCESS')
 * </pre>
 * Make a new FakeJenkins in each test (in {@code @Before}): each has its own JenkinsPipelineUnit helper, binding,
 * call stack, registered steps, log and instances of the library's global variables, so nothing a test does
 * reaches the next one.
 *
 * <p>The library is compiled once per JVM and mode (plain and CPS), not once per test: compiling vars/ through the
 * sandbox or CPS transformation is most of a step test's time. The first run of each mode compiles it and keeps
 * the class loader holding the compiled classes ({@link CompiledLibrary}); every later FakeJenkins of that mode
 * loads the library through a class loader whose parent is that one, and points the compiled classes' method
 * interception at its own helper before each run.
 */
class FakeJenkins {
    static final File PROJECT = new File(System.getProperty('user.dir')).canonicalFile
    static final List<String> RESULTS = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']

    final BasePipelineTest pipeline
    final boolean cps
    final File workspace
    final File scratch
    /** Everything Jenkins would show in the console log, in order. */
    final List<String> log = []
    final Map env = new LinkedHashMap()
    final Map currentBuild = new LinkedHashMap([result: null, description: null, displayName: '#7', number: 7])
    final Map params = new LinkedHashMap()
    /** Relative directories entered with dir(), innermost last. */
    final List<String> dirs = []
    /** The workspace of the agent a node block of another agent entered (NodeFake.agent), else null. */
    File agentWorkspace
    final List<StepFake> fakes = []
    /** script-security's sandbox, in plain mode: every call the library makes is checked against its whitelists. */
    final ScriptSecurityChecker sandbox
    private int scripts

    private FakeJenkins(BasePipelineTest pipeline, boolean cps, File root) {
        this.pipeline = pipeline
        this.cps = cps
        this.workspace = new File(root, 'workspace')
        this.scratch = new File(root, 'scratch')
        workspace.mkdirs()
        scratch.mkdirs()
        ClassLoader compiled = CompiledLibrary.loader(cps)
        if (compiled != null) {
            pipeline.baseClassLoader = compiled
        }
        pipeline.setUp()
        pipeline.helper.callStack.clear()
        // A folder-level library runs sandboxed (CPS mode checks serializability instead; Jenkins combines both).
        sandbox = cps ? null : new ScriptSecurityChecker()
        if (!cps) {
            pipeline.helper.gse.config.addCompilationCustomizers(new SandboxTransformer())
        }
        pipeline.binding.setVariable('env', env)
        pipeline.binding.setVariable('currentBuild', currentBuild)
        pipeline.binding.setVariable('params', params)
        env.putAll([JOB_NAME: 'model-release', BUILD_NUMBER: '7', BUILD_TAG: 'jenkins-model-release-7',
                    BUILD_URL: 'https://jenkins.example/job/model-release/7/',
                    // The agent's engine cache (an agent setting), kept inside the test's own directory.
                    DAY0_ENGINE_CACHE_DIR: new File(scratch, 'agent-cache/day0/engines').path])
        // JenkinsPipelineUnit's own stand-ins do not behave as Jenkins does; a test installs the fakes it needs.
        ['error', 'sh', 'echo', 'input', 'junit', 'archiveArtifacts', 'timeout', 'withCredentials', 'string',
         'readFile', 'node', 'stage', 'dir', 'step'].each { name ->
            pipeline.helper.allowedMethodCallbacks.keySet().removeAll { it.name == name }
        }
        pipeline.helper.registerSharedLibrary(library().name('day0')
                .retriever(new ProjectRoot()).targetPath(PROJECT.path).defaultVersion('main')
                .allowOverride(false).implicit(false).build())
    }

    /** A run in plain Groovy mode, as JenkinsPipelineUnit runs scripts by default. */
    static FakeJenkins plain(File root) {
        return new FakeJenkins(new PlainPipeline(), false, root)
    }

    /** A run in CPS mode: the program state is serialized at every step, as Jenkins does. */
    static FakeJenkins cps(File root) {
        return new FakeJenkins(new CpsPipeline(), true, root)
    }

    FakeJenkins with(StepFake... installed) {
        installed.each { fake ->
            fake.install(this)
            fakes.add(fake)
        }
        return this
    }

    /** Registers one step signature. */
    void step(String name, List<Class> signature, Closure behaviour) {
        pipeline.helper.registerAllowedMethod(name, signature, behaviour)
    }

    Object callClosure(Closure body, Object... args) {
        return pipeline.helper.callClosure(body, args)
    }

    /** The directory steps currently work in: the workspace, or a directory inside it entered with dir(). */
    File cwd() {
        File current = agentWorkspace ?: workspace
        // dir('/abs/path') enters that directory, as Jenkins does; a relative one is inside the current one.
        dirs.each { current = new File(it).isAbsolute() ? new File(it) : new File(current, it) }
        return current
    }

    File file(String path) {
        File f = new File(path)
        return f.isAbsolute() ? f : new File(cwd(), path)
    }

    void log(String line) {
        log.add(line)
    }

    String logText() {
        return log.join('\n')
    }

    /** Worsens the build result, never improves it (as Jenkins does). */
    void result(String result) {
        String current = currentBuild.result ?: 'SUCCESS'
        if (RESULTS.indexOf(result) > RESULTS.indexOf(current)) {
            currentBuild.result = result
        }
    }

    String buildResult() {
        return currentBuild.result ?: 'SUCCESS'
    }

    /**
     * Runs pipeline code with the day0 library loaded ('@Library('day0') _' is added when missing). The script's
     * binding has `args` for values the test passes in. An exception ends the run as Jenkins ends a build.
     */
    Run run(String code, Map args = [:]) {
        String text = code.contains('@Library(') ? code : "@Library('day0') _\n${code}"
        return runFile(writeScript(text), args)
    }

    Run runFile(File script, Map args = [:]) {
        pipeline.binding.setVariable('args', args)
        Object value = null
        Throwable failure = null
        sandbox?.register()
        try {
            Script loaded = pipeline.loadScript(script.path)
            CompiledLibrary.adopt(pipeline.helper, cps)
            value = pipeline.runScript(loaded)
        } catch (AssertionError harnessFailure) {
            // A fake found the test's expectations broken (an unexpected call): that fails the test, not the build.
            throw harnessFailure
        } catch (FlowInterruptedException interrupted) {
            failure = interrupted
            result('ABORTED')
        } catch (Throwable thrown) {
            failure = thrown
            result('FAILURE')
        } finally {
            sandbox?.unregister()
        }
        if (sandbox != null && !sandbox.rejected().isEmpty()) {
            // Jenkins would have stopped the build at the first of these (even where the library catches it).
            throw new AssertionError("the sandbox refuses: " + sandbox.rejected().join('; '), sandbox.firstRefusal())
        }
        if (failure != null) {
            log("ERROR: ${failure.message}")
        }
        log("Finished: ${buildResult()}")
        if (Boolean.getBoolean('day0.jenkins.printLog')) {
            // -Dday0.jenkins.printLog=true shows each run's console log, to see what a user would read.
            println(logText())
        }
        return new Run(value: value, failure: failure, result: buildResult())
    }

    private File writeScript(String text) {
        scripts++
        File script = new File(scratch, "scripts/Pipeline${scripts}/Jenkinsfile")
        script.parentFile.mkdirs()
        script.setText(text, 'UTF-8')
        return script
    }

    /** Every recorded step call, as JenkinsPipelineUnit's call stack prints it. */
    String callStackText() {
        return pipeline.helper.callStack.collect { it.toString() }.join('\n')
    }

    /** A fresh directory under java.io.tmpdir for one test; deleted by the test's TemporaryFolder. */
    static File tempRoot() {
        return Files.createTempDirectory('day0-jenkins').toFile()
    }

    /** What a finished run gives back. */
    static class Run {
        Object value
        Throwable failure
        String result

        String message() {
            return failure == null ? null : failure.message
        }
    }

    /** The library's source: this repository's root, where vars/ and resources/ are. */
    static class ProjectRoot implements SourceRetriever {
        @Override
        List<URL> retrieve(String repository, String branch, String targetPath) {
            return [PROJECT.toURI().toURL()]
        }
    }

    static class PlainPipeline extends BasePipelineTest {
    }

    static class CpsPipeline extends BasePipelineTestCPS {
    }
}
