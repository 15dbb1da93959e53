package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.ShCall
import dev.day0.jenkins.fakes.StashFake
import dev.day0.jenkins.fakes.TimeoutFake
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class Day0PtqTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins
    StashFake stash
    InputFake input

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = compose(kit, tmp.newFolder('plain'), false)
    }

    private FakeJenkins compose(Kit on, File root, boolean cps) {
        FakeJenkins run = cps ? on.cps(root) : on.plain(root)
        TimeoutFake timeout = new TimeoutFake()
        input = new InputFake(timeout)
        stash = new StashFake()
        run.with(timeout, input, new CredentialsFake(['rockie-token': 'rk_secret_token_value_123', 'approval-key': 'ak_secret_signing_key_456']), stash)
        on.sh.respond({ ShCall call -> call.script == './quantize.sh' || call.script.startsWith('bash ') }, { [status: 0] })
        on.engine.on('inspect checkpoint') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), [recipe: call.opt('recipe'), source_bytes: 1000, output_bytes: 310])
            call.writeJson(call.opt('layers'), [layers: []])
            [status: 0]
        }
        on.engine.on('gate ptq') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: true, failure_class: null, detail: 'covered', checks: [size: [ratio: 0.31]]])
        }
        return run
    }

    private static final String ON_AGENT = """return node {
        day0Ptq(model: 'org/Model-8B', recipe: 'nvfp4', sourceDir: 'models/src', outputDir: 'models/nvfp4',
                command: './quantize.sh')
    }"""

    @Test
    void shouldQuantizeOnTheAgentThenInspectAndGate() {
        FakeJenkins.Run run = jenkins.run(ON_AGENT)

        assertThat(run.failure).isNull()
        ShCall ptq = kit.sh.calls.find { it.script == './quantize.sh' }
        assertThat(ptq.env).containsEntry('DAY0_MODEL', 'org/Model-8B').containsEntry('DAY0_RECIPE', 'nvfp4')
                .containsEntry('DAY0_SOURCE_DIR', 'models/src').containsEntry('DAY0_OUTPUT_DIR', 'models/nvfp4')
        assertThat(kit.engine.calls('inspect checkpoint')[0].args).containsExactly('inspect', 'checkpoint',
                '--source=models/src', '--output=models/nvfp4', '--recipe=nvfp4',
                '--out=day0/evidence/ptq/validation-summary.json', '--layers=day0/evidence/ptq/layers.json')
        assertThat(kit.engine.calls('gate ptq')[0].opt('summary')).isEqualTo('day0/evidence/ptq/validation-summary.json')
        assertThat(run.value.summaryFile).isEqualTo('day0/evidence/ptq/validation-summary.json')
        assertThat(run.value.sizeRatio).isEqualTo(0.31)
        assertThat(run.value.pass).isTrue()
        assertThat(run.value.reportDir).isEqualTo('day0/ptq')
        assertThat(kit.archive.archived()).contains('day0/evidence/ptq/validation-summary.json',
                'day0/evidence/ptq/layers.json', 'day0/ptq/gate.json')
    }

    @Test
    void shouldRunAScriptFileThroughTheEnvironmentNotTheCommandLine() {
        jenkins.run("""node {
            day0Ptq(recipe: 'fp8', sourceDir: 'src', outputDir: 'out', script: 'jobs/my ptq.sh')
        }""")

        ShCall ptq = kit.sh.calls.find { it.script.startsWith('bash ') }
        assertThat(ptq.script).isEqualTo('bash "$DAY0_PTQ_SCRIPT"')
        assertThat(ptq.env.DAY0_PTQ_SCRIPT).isEqualTo('jobs/my ptq.sh')
    }

    @Test
    void shouldStopBeforeInspectingWhenThePtqCommandFails() {
        Kit failing = new Kit()
        FakeJenkins run = failing.plain(tmp.newFolder('failing'))
        failing.sh.respond({ ShCall call -> call.script == './quantize.sh' }, { [status: 3] })

        FakeJenkins.Run finished = run.run(ON_AGENT)

        assertThat(finished.result).isEqualTo('FAILURE')
        assertThat(finished.message()).contains('the PTQ command failed with exit code 3', 'no checkpoint to judge')
        assertThat(failing.engine.calls).isEmpty()
    }

    @Test
    void shouldLetTriageDecideWhenTheCheckpointsCannotBeRead() {
        kit.engine.on('inspect checkpoint') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR',
                                 detail: 'models/nvfp4/model.safetensors: header length 9e9 is beyond the file']]
        }

        FakeJenkins.Run run = jenkins.run(ON_AGENT)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('USER_CONFIG_ERROR', 'header length 9e9 is beyond the file',
                'Decision: NEEDS_HUMAN')
        assertThat(kit.engine.calls('gate ptq')).isEmpty()
        assertThat(kit.badges.badges*.kind).containsExactly('addInfoBadge')
    }

    @Test
    void shouldInspectOnlyAndStashTheEvidenceWhenTheGateRunsLater() {
        FakeJenkins.Run run = jenkins.run("""return node {
            day0Ptq(recipe: 'nvfp4', sourceDir: 'src', outputDir: 'out', command: './quantize.sh', gate: false,
                    stash: 'ptq-evidence')
        }""")

        assertThat(run.failure).isNull()
        assertThat(kit.engine.calls('gate ptq')).isEmpty()
        assertThat(run.value.pass).isNull()
        assertThat(run.value.summaryFile).isEqualTo('day0/evidence/ptq/validation-summary.json')
        assertThat(stash.stashes['ptq-evidence']).contains('day0/evidence/ptq/validation-summary.json')
    }

    @Test
    void shouldRunAsAnApprovedRockieJobAndJudgeItsArtifacts() {
        scriptRockie(kit.engine)
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(onRockie())

        assertThat(run.failure).isNull()
        assertThat(input.requests[0].insideNode).isFalse()
        EngineFake.Call submit = kit.engine.calls('rockie submit')[0]
        assertThat(submit.opt('script')).isEqualTo('jobs/ptq.sh')
        assertThat(submit.opts('env')).containsExactly('DAY0_RECIPE=nvfp4', 'DAY0_MODEL=org/Model-8B')
        assertThat(kit.engine.calls('inspect checkpoint')[0].opt('output')).isEqualTo('day0/rockie/ptq/artifacts')
        assertThat(run.value.job.jobId).isEqualTo('job-1')
        assertThat(run.value.pass).isTrue()
        assertThat(kit.node.labels).containsExactly('gpu-agents', 'gpu-agents')
    }

    @Test
    void shouldNotRunAnythingWhenTheRockieJobIsRejected() {
        scriptRockie(kit.engine)
        input.rejectInForm('alice')

        FakeJenkins.Run run = jenkins.run(onRockie())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(kit.engine.calls('rockie submit')).isEmpty()
        assertThat(kit.engine.calls('inspect checkpoint')).isEmpty()
        assertThat(jenkins.currentBuild.description.toString()).contains('NEEDS_HUMAN', 'rejected by alice')
    }

    @Test
    void shouldRefuseACommandOnRockie() {
        FakeJenkins.Run run = jenkins.run("day0Ptq(on: 'rockie', recipe: 'nvfp4', sourceDir: 's', command: './q.sh')")

        assertThat(run.message()).contains("on: 'rockie' runs a job script")
    }

    @Test
    void shouldNeedANodeOnTheAgent() {
        FakeJenkins.Run run = jenkins.run("day0Ptq(recipe: 'nvfp4', sourceDir: 's', outputDir: 'o', command: './q.sh')")

        assertThat(run.message()).contains('call it inside node')
    }

    @Test
    void shouldNeedTheRecipeAndTheSource() {
        FakeJenkins.Run run = jenkins.run("node { day0Ptq(outputDir: 'o', command: './q.sh') }")

        assertThat(run.message()).contains('recipe, sourceDir required')
    }

    @Test
    void shouldRunThePtqCommandAsASlurmJobThenInspectAndGateHere() {
        Map job = null
        kit.engine.on('slurm run') { EngineFake.Call call ->
            job = new groovy.json.JsonSlurper().parse(call.file(call.opt('job'))) as Map
            [status: 0, stdout: [pass: true, outcome: 'DONE', failure_class: null, detail: 'Slurm job 7 COMPLETED',
                                 job_id: '7', job_name: 'day0-run-ptq-a1-0123456789ab', state: 'COMPLETED',
                                 exit_code: 0, state_file: 'day0/slurm/ptq/s.json', output_file: 'day0/slurm/ptq/s.out']]
        }

        FakeJenkins.Run run = jenkins.run("""return node {
            day0Ptq(on: 'slurm', model: 'org/Model-8B', recipe: 'nvfp4', sourceDir: 'models/src',
                    outputDir: 'models/nvfp4', command: ['python', 'ptq.py'],
                    slurm: [partition: 'batch', gpus: 8, time: '02:00:00'])
        }""")

        assertThat(run.failure).isNull()
        assertThat(job.command).isEqualTo(['python', 'ptq.py'])
        assertThat(job.env as Map).containsEntry('DAY0_MODEL', 'org/Model-8B').containsEntry('DAY0_RECIPE', 'nvfp4')
                .containsEntry('DAY0_SOURCE_DIR', 'models/src').containsEntry('DAY0_OUTPUT_DIR', 'models/nvfp4')
        assertThat(job.slurm as Map).containsEntry('gpus', 8)
        assertThat(kit.engine.calls('inspect checkpoint')[0].opt('output')).isEqualTo('models/nvfp4')
        assertThat(run.value.pass).isTrue()
        assertThat(run.value.job.jobId).isEqualTo('7')
    }

    @Test
    void shouldJudgeNothingWhenThePtqSlurmJobFailed() {
        kit.engine.on('slurm run') { EngineFake.Call call ->
            [status: 1, stdout: [pass: false, outcome: 'OUT_OF_MEMORY', failure_class: 'USER_CONFIG_ERROR',
                                 detail: 'Slurm job 8 OUT_OF_MEMORY', job_id: '8', state: 'OUT_OF_MEMORY']]
        }

        FakeJenkins.Run run = jenkins.run("""node {
            day0Ptq(on: 'slurm', recipe: 'nvfp4', sourceDir: 's', outputDir: 'o', script: 'jobs/ptq.sh')
        }""")

        assertThat(run.message()).contains('the PTQ job failed (USER_CONFIG_ERROR: Slurm job 8 OUT_OF_MEMORY)')
        assertThat(kit.engine.calls('inspect checkpoint')).isEmpty()
    }

    @Test
    void shouldRunBothWaysUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = compose(cpsKit, tmp.newFolder('cps'), true)
        scriptRockie(cpsKit.engine)
        input.approve('alice')

        FakeJenkins.Run agent = cps.run(ON_AGENT)
        FakeJenkins.Run rockie = cps.run(onRockie())

        assertThat(agent.failure).isNull()
        assertThat(agent.value.sizeRatio).isEqualTo(0.31)
        assertThat(rockie.failure).isNull()
        assertThat(rockie.value.job.jobId).isEqualTo('job-1')
    }

    private static String onRockie() {
        return """return day0Ptq(on: 'rockie', model: 'org/Model-8B', recipe: 'nvfp4', sourceDir: 'models/src',
                script: 'jobs/ptq.sh', gpuType: 'H100_SXM', gpuCount: 1, timeoutSeconds: 3600, region: 'us',
                tier: 'spot', jobSpec: [job_shape: 'ptq'], approvers: 'alice', credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key',
                tenantId: 't', apiUrl: 'http://127.0.0.1:9/', agent: 'gpu-agents')"""
    }

    private static void scriptRockie(EngineFake engine) {
        Map sheet = [quote_id: 'q1', estimate_cents: 1000, user_budget_cents: 1500, decision: [state: 'pending']]
        engine.on('rockie quote') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), sheet)
            [status: 0]
        }
        engine.on('rockie render') { EngineFake.Call call -> [status: 0, stdout: 'sheet q1'] }
        engine.on('rockie approve') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), sheet + [decision: [state: 'approve', approved_for_submit: true,
                    approved_by: call.opt('approver'), quote_sha256: 'b'.multiply(64)]])
            [status: 0]
        }
        engine.on('rockie submit') { EngineFake.Call call ->
            call.writeJson(call.opt('state-file'), [job_id: 'job-1', state: 'DONE', job_done: true])
            new File(call.cwd, call.opt('artifacts-dir')).mkdirs()
            [status: 0]
        }
    }
}
