package dev.day0.jenkins

import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.ShCall
import groovy.json.JsonSlurper
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class Day0SlurmTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins
    List<Map> jobFiles = []

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = kit.plain(tmp.newFolder('plain'))
        answer(kit.engine, [pass: true, outcome: 'DONE', failure_class: null, state: 'COMPLETED', exit_code: 0])
    }

    /** `day0 slurm run` as the engine answers it: the job file is read, the result printed. */
    private void answer(EngineFake engine, Map result) {
        engine.on('slurm run') { EngineFake.Call call ->
            Map job = new JsonSlurper().parse(call.file(call.opt('job'))) as Map
            jobFiles.add(job)
            String name = "day0-run-${job.name}-a${job.attempt}-0123456789ab"
            Map doc = [schema: 'day0.slurm.run/v1', name: job.name, attempt: job.attempt, detail: "Slurm job 42 ${result.state}",
                       job_id: '42', job_name: name, submitted_now: true,
                       state_file: "${call.opt('workdir')}/${name}.json", output_file: "${call.opt('workdir')}/${name}.out"] + result
            call.writeJson(doc.state_file as String, [schema: 'day0.slurm.job/v1', job_id: '42'])
            [status: result.pass ? 0 : 1, stdout: doc]
        }
    }

    @Test
    void shouldRelayTheJobToTheEngineAndReturnItsResult() {
        FakeJenkins.Run run = jenkins.run("""return node {
            day0Slurm(name: 'baseline-eval', command: ['bash', 'jobs/eval.sh'], env: [RESULTS_DIR: 'results/base'],
                      slurm: [partition: 'batch', gpus: 8, time: '04:00:00', environment: ['HF_TOKEN']])
        }""")

        assertThat(run.failure).isNull()
        EngineFake.Call call = kit.engine.calls('slurm run')[0]
        assertThat(call.args).containsExactly('slurm', 'run', '--job=day0/slurm/baseline-eval/job-a1.json',
                '--workdir=day0/slurm/baseline-eval')
        assertThat(jobFiles[0]).containsEntry('name', 'baseline-eval').containsEntry('attempt', 1)
                .containsEntry('command', ['bash', 'jobs/eval.sh']).containsEntry('env', [RESULTS_DIR: 'results/base'])
                .containsEntry('run_key', 'model-release#7')
        assertThat(jobFiles[0].slurm as Map).containsEntry('partition', 'batch').containsEntry('gpus', 8)
                .containsEntry('environment', ['HF_TOKEN'])
        assertThat(run.value.pass).isTrue()
        assertThat(run.value.jobId).isEqualTo('42')
        assertThat(run.value.state).isEqualTo('COMPLETED')
        assertThat(run.value.stateFile as String).startsWith('day0/slurm/baseline-eval/day0-run-baseline-eval-a1-')
        assertThat(kit.archive.archived()).contains('day0/slurm/baseline-eval/job-a1.json')
        // No Slurm command reaches a shell of its own: the only sh is the engine's fixed runner.
        assertThat(kit.sh.calls.findAll { ShCall sh -> sh.script != EngineFake.RUNNER }).isEmpty()
    }

    @Test
    void shouldTakeTheAttemptFromTheDay0GateClosureSoARetryIsANewJob() {
        jenkins.run("""node {
            withEnv(['DAY0_ATTEMPT=2']) {
                day0Slurm(name: 'eval', command: 'bash jobs/eval.sh --tasks "mmlu gsm8k"')
            }
        }""")

        assertThat(jobFiles[0]).containsEntry('attempt', 2)
                .containsEntry('command', ['bash', '-c', 'bash jobs/eval.sh --tasks "mmlu gsm8k"'])
        assertThat(kit.engine.calls('slurm run')[0].opt('job')).isEqualTo('day0/slurm/eval/job-a2.json')
    }

    @Test
    void shouldStopTheBuildNamingTheFailureClassWhenTheJobDidNotComplete() {
        answer(kit.engine, [pass: false, outcome: 'INFRA_TRANSIENT', failure_class: 'INFRA_TRANSIENT', state: 'TIMEOUT',
                            exit_code: 0])

        FakeJenkins.Run run = jenkins.run("node { day0Slurm(name: 'eval', script: 'jobs/eval.sh') }")

        assertThat(run.message()).contains('day0Slurm eval: Slurm job 42 did not complete: INFRA_TRANSIENT')
        assertThat(jobFiles[0]).containsEntry('command', ['bash', 'jobs/eval.sh'])
    }

    @Test
    void shouldReturnAFailedJobWhenTheCallerDecides() {
        answer(kit.engine, [pass: false, outcome: 'CANCELLED', failure_class: 'UNKNOWN', state: 'CANCELLED', exit_code: 0])

        FakeJenkins.Run run = jenkins.run("return node { day0Slurm(name: 'eval', script: 'e.sh', failOnError: false) }")

        assertThat(run.failure).isNull()
        assertThat(run.value.pass).isFalse()
        assertThat(run.value.failureClass).isEqualTo('UNKNOWN')
    }

    @Test
    void shouldStopWhenTheEngineCouldNotUseTheJobFile() {
        kit.engine.on('slurm run') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR',
                                 detail: 'job-a1.json: slurm.time: must be a Slurm time limit']]
        }

        FakeJenkins.Run run = jenkins.run("node { day0Slurm(name: 'eval', script: 'e.sh', slurm: [time: 'soon']) }")

        assertThat(run.message()).contains('day0 slurm run stopped (exit 2)').contains('slurm.time')
    }

    @Test
    void shouldRefuseUnclearArgumentsBeforeCallingTheEngine() {
        FakeJenkins.Run both = jenkins.run("node { day0Slurm(name: 'eval', script: 'e.sh', command: 'x') }")
        FakeJenkins.Run misspelt = jenkins.run("node { day0Slurm(name: 'eval', script: 'e.sh', partition: 'batch') }")
        FakeJenkins.Run badName = jenkins.run("node { day0Slurm(name: '../eval', script: 'e.sh') }")
        FakeJenkins.Run outside = jenkins.run("day0Slurm(name: 'eval', script: 'e.sh')")

        assertThat(both.message()).contains('exactly one of command')
        assertThat(misspelt.message()).contains('unknown argument(s) partition')
        assertThat(badName.message()).contains('name: a letter or digit')
        assertThat(outside.message()).contains('inside node')
        assertThat(kit.engine.calls('slurm run')).isEmpty()
    }

    @Test
    void shouldRunUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = cpsKit.cps(tmp.newFolder('cps'))
        answer(cpsKit.engine, [pass: true, outcome: 'DONE', failure_class: null, state: 'COMPLETED', exit_code: 0])

        FakeJenkins.Run run = cps.run("return node { day0Slurm(name: 'eval', command: ['sh', 'e.sh'], slurm: [time: '5']) }")

        assertThat(run.failure).isNull()
        assertThat(run.value.jobId).isEqualTo('42')
    }
}
