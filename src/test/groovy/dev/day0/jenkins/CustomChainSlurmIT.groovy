package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.StageFake
import dev.day0.jenkins.fakes.StashFake
import dev.day0.jenkins.fakes.TimeoutFake
import dev.day0.slurm.JobInfo
import dev.day0.slurm.SlurmClient
import groovy.json.JsonSlurper
import org.junit.Assume
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * The custom chain (docs/jenkins/custom_chain.Jenkinsfile) with GPU_BACKEND=slurm against the local single-node
 * cluster (`tools/slurm/local-cluster.sh start`): `sh` runs the built engine, and the PTQ and both evaluations each
 * run as one real Slurm job through day0Ptq(on: 'slurm') and day0Slurm. Without a cluster the test says so and is
 * skipped, unless DAY0_REQUIRE_SLURM=1.
 */
class CustomChainSlurmIT {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    @BeforeClass
    static void findTheCluster() {
        Day0SlurmIT.findTheCluster()
    }

    @Test
    void shouldRunEachGpuStageAsOneSlurmJobAndDecideAsTheOtherBackendsDo() {
        Assume.assumeTrue("no local Slurm: ${Day0SlurmIT.unavailable}".toString(), Day0SlurmIT.unavailable == null)
        Kit kit = new Kit().withRealShell()
        try {
            FakeJenkins jenkins = kit.plain(tmp.newFolder('jenkins'))
            TimeoutFake timeout = new TimeoutFake()
            InputFake input = new InputFake(timeout)
            StageFake stages = new StageFake()
            jenkins.with(timeout, input, stages, new StashFake(), new CredentialsFake([:]))
            jenkins.step('parameters', [List]) { List definitions -> [parameters: definitions] }
            jenkins.step('choice', [Map]) { Map options -> [symbol: 'choice'] + options }
            jenkins.pipeline.binding.setVariable('scm', [$class: 'GitSCM'])
            RealEngine.install(jenkins)
            jenkins.env.JOB_NAME = "custom-chain-slurm-${UUID.randomUUID()}".toString()
            jenkins.env.DAY0_SLURM_PARTITION = 'debug'
            jenkins.env.DAY0_SLURM_GPUS = '0'
            JenkinsfileExampleIT.modelRepository(jenkins.workspace)
            jenkins.params.putAll([MODEL: 'meta-llama/Llama-3.1-8B-Instruct', RECIPE: 'nvfp4', THRESHOLD: '0.02',
                                   GPU_BACKEND: 'slurm'])

            FakeJenkins.Run run = jenkins.runFile(JenkinsfileExampleIT.EXAMPLE)

            assertThat(run.failure).as(jenkins.logText()).isNull()
            assertThat(stages.names).isEqualTo(JenkinsfileExampleIT.STAGES)
            assertThat(run.result).isEqualTo('SUCCESS')
            assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
            assertThat(input.requests).as('no approval asked outside Rockie').isEmpty()
            assertThat(jenkins.logText()).contains('day0Slurm ptq: done', 'day0Slurm baseline-eval: done',
                    'day0Slurm quantized-eval: done', 'day0 decision: ACCEPT (publish)')
            ['ptq', 'baseline-eval', 'quantized-eval'].each { String name ->
                File dir = new File(jenkins.workspace, "day0/slurm/${name}")
                File state = dir.listFiles().find { it.name.endsWith('.json') && !it.name.startsWith('job-') }
                assertThat(state).as("the state file of ${name}").isNotNull()
                Map recorded = new JsonSlurper().parse(state) as Map
                assertThat(SlurmClient.local().jobsNamed(recorded.job_name as String)
                        .collect { JobInfo job -> job.jobId() }).as("Slurm's jobs named ${recorded.job_name}")
                        .containsExactly(recorded.job_id)
            }
            Map decision = new JsonSlurper().parse(kit.archive.archived('day0/closeout/decision.json')) as Map
            assertThat(decision.decision).isEqualTo('ACCEPT')
            assertThat(kit.archive.archived().findAll { it.startsWith('models/') }).as('no checkpoint archived')
                    .isEmpty()
        } finally {
            kit.close()
        }
    }
}
