package dev.day0.jenkins

import com.cloudbees.groovy.cps.CpsTransformer
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.Phases
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.junit.Test

import static org.assertj.core.api.Assertions.assertThat

/**
 * Every file Jenkins compiles from this repository (vars/*.groovy, Jenkinsfile.example,
 * docs/jenkins/custom_chain.Jenkinsfile) compiles with the Groovy
 * Jenkins runs (2.4.21), also through the CPS transformation, and keeps to what a sandboxed library may use.
 */
class VarsCompileTest {
    static final File VARS = new File(FakeJenkins.PROJECT, 'vars')
    /** The short Jenkinsfile at the root, and the custom chain docs/jenkins.md shows. */
    static final List<File> EXAMPLES = [new File(FakeJenkins.PROJECT, 'Jenkinsfile.example'),
                                        new File(FakeJenkins.PROJECT, 'docs/jenkins/custom_chain.Jenkinsfile')]

    static List<File> pipelineFiles() {
        List<File> files = VARS.listFiles().findAll { it.name.endsWith('.groovy') }.sort { it.name }
        // The example Jenkinsfiles are deliverables: missing, they must fail the compile check, not drop out of it.
        EXAMPLES.each { File example ->
            assertThat(example).exists()
            files.add(example)
        }
        return files
    }

    private static void compile(File file, boolean cps) {
        CompilerConfiguration config = new CompilerConfiguration()
        config.addCompilationCustomizers(new ImportCustomizer().addImports('com.cloudbees.groovy.cps.NonCPS',
                'org.jenkinsci.plugins.workflow.libs.Library'))
        if (cps) {
            config.addCompilationCustomizers(new CpsTransformer())
        }
        CompilationUnit unit = new CompilationUnit(config, null, new GroovyClassLoader(VarsCompileTest.classLoader))
        unit.addSource(file.name.replace('.', '_'), file.getText('UTF-8'))
        unit.compile(Phases.CLASS_GENERATION)
    }

    @Test
    void shouldTestWithTheGroovyVersionJenkinsRuns() {
        assertThat(GroovySystem.version).isEqualTo('2.4.21')
    }

    @Test
    void shouldFindTheStepsAndTheirHelpPages() {
        List<String> steps = pipelineFiles()*.name.findAll { it.endsWith('.groovy') }*.replace('.groovy', '')
        assertThat(steps).contains('day0Ptq', 'day0Gate', 'day0Compare', 'rockieSubmit', 'day0Engine', 'day0Decision')
        steps.each { String step ->
            assertThat(new File(VARS, "${step}.txt")).as("help page of ${step}").exists()
        }
    }

    @Test
    void shouldCompileEveryPipelineFileWithGroovy2421() {
        pipelineFiles().each { File file -> compile(file, false) }
    }

    @Test
    void shouldCompileEveryPipelineFileThroughTheCpsTransformation() {
        pipelineFiles().each { File file -> compile(file, true) }
    }

    @Test
    void shouldUseOnlyWhatASandboxedLibraryMayUse() {
        List<String> forbidden = [/Jenkins\.(instance|get)/, /new\s+File\s*\(/, /System\.getenv/, /\.execute\(\)/,
                                  /Thread\.sleep/, /(?<![.\w])evaluate\s*\(/, /GroovyShell/, /getRawBuild/]
        pipelineFiles().each { File file ->
            String text = file.getText('UTF-8')
            forbidden.each { String api ->
                assertThat(text).as("${file.name} uses ${api}").doesNotContainPattern(api)
            }
        }
    }

    @Test
    void shouldNeverBuildAShellScriptByInterpolation() {
        pipelineFiles().each { File file ->
            file.readLines().eachWithIndex { String line, int index ->
                assertThat(line).as("${file.name}:${index + 1}").doesNotContainPattern(/\bsh\s*\(?\s*(script:\s*)?"/)
                assertThat(line).as("${file.name}:${index + 1}").doesNotContainPattern(/\bsh\s*\(?\s*(script:\s*)?'''/)
            }
        }
    }

    @Test
    void shouldArchiveAndStashOnlyThroughTheEvidenceLimit() {
        pipelineFiles().findAll { it.name != 'day0Engine.groovy' }.each { File file ->
            String text = file.getText('UTF-8')
            assertThat(text).as("${file.name} archives without the size check").doesNotContainPattern(/\barchiveArtifacts\s*\(/)
            assertThat(text).as("${file.name} stashes without the size check").doesNotContainPattern(/(?<![.\w])stash\s*\(/)
        }
        EXAMPLES.each { File example ->
            assertThat(example.getText('UTF-8')).as(example.name).doesNotContain("'day0/**'")
                    .doesNotContain('"day0/**"')
        }
    }
}
