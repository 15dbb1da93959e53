package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.TimeoutFake
import groovy.json.JsonSlurper
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class RockieSubmitTest {
    static final String TOKEN = 'rk_tenant_9f3c2a7d51e84b60b3d2'
    static final String APPROVAL_KEY = 'dak_RockieSubmitTest_S1gn1ngK3yNeverLogged'
    static final Map SHEET = new JsonSlurper().parse(
            new File(FakeJenkins.PROJECT, 'src/test/resources/reference/rockie/approved-term-sheet.from-test.json')) as Map
    static final String RENDERED = 'Term sheet qts_test: 1 x A100_80GB (spot, us), about 60 min.\n' +
            'Estimate 180.00 USD, budget 270.00 USD.'

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    TimeoutFake timeout
    InputFake input
    CredentialsFake credentials
    FakeJenkins jenkins
    List<Map> submitted

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = compose(kit, tmp.newFolder('plain'), false)
    }

    private FakeJenkins compose(Kit on, File root, boolean cps) {
        timeout = new TimeoutFake()
        input = new InputFake(timeout)
        credentials = new CredentialsFake(['rockie-token': TOKEN, 'approval-key': APPROVAL_KEY])
        submitted = []
        FakeJenkins run = cps ? on.cps(root) : on.plain(root)
        run.with(timeout, input, credentials)
        scriptRockie(on.engine)
        new File(run.workspace, 'jobs').mkdirs()
        new File(run.workspace, 'jobs/ptq.sh').text = '#!/usr/bin/env bash\necho JOB_DONE\n'
        new File(run.workspace, 'jobs/ptq-spec.json').text = '{"job_shape": "ptq", "gpu_type": "A100_80GB"}'
        return run
    }

    /** A Rockie engine that quotes the reference sheet, approves as the engine does and submits into a state file. */
    private void scriptRockie(EngineFake engine) {
        Map pending = SHEET + [decision: [state: 'pending', approvable: true, approved_for_submit: false]]
        engine.on('rockie quote') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), pending)
            [status: 0]
        }
        engine.on('rockie render') { EngineFake.Call call -> [status: 0, stdout: RENDERED] }
        engine.on('rockie approve') { EngineFake.Call call ->
            Map sheet = new JsonSlurper().parse(call.file(call.opt('term-sheet'))) as Map
            Integer budget = call.opt('budget-cents') ? call.opt('budget-cents') as Integer : sheet.user_budget_cents as Integer
            if (budget < (sheet.estimate_cents as Integer)) {
                return [status: 11, stderr: "day0 rockie approve: budget ${budget} is below the estimate"]
            }
            call.writeJson(call.opt('out'), sheet + [user_budget_cents: budget,
                    decision: [state: budget == sheet.user_budget_cents ? 'approve' : 'modify_then_approve',
                               approvable: true, approved_for_submit: true, approved_by: call.opt('approver'),
                               approved_at: '2026-06-05T10:00:00Z', quote_sha256: 'a'.multiply(64)]])
            [status: 0]
        }
        engine.on('rockie submit') { EngineFake.Call call ->
            Map state = new File(call.cwd, call.opt('state-file')).exists() ?
                    new JsonSlurper().parse(call.file(call.opt('state-file'))) as Map : null
            submitted.add([args: call.args, token: call.env.ROCKIELAB_TENANT_TOKEN, reattach: state?.job_id != null,
                           approvalKey: call.env.DAY0_APPROVAL_KEY])
            if (state?.job_id == null) {
                call.writeJson(call.opt('state-file'), [job_id: "job-${submitted.size()}", state: 'DONE',
                                                        job_done: true, outcome: 'DONE'])
            }
            [status: 0, stderr: 'job DONE']
        }
    }

    private static String submit(Map extra = [:]) {
        Map args = [script: 'jobs/ptq.sh', gpuType: 'A100_80GB', gpuCount: 1, timeoutSeconds: 3600, region: 'us',
                    tier: 'spot', jobSpec: 'jobs/ptq-spec.json', approvers: 'alice,release-managers',
                    credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key', tenantId: 'tenant-1', apiUrl: 'http://127.0.0.1:9/'] + extra
        String text = args.collect { k, v -> "${k}: ${v.inspect()}" }.join(', ')
        return "return rockieSubmit(${text})"
    }

    @Test
    void shouldAskForApprovalOutsideAnyNodeInsideATimeoutWithTheRenderedSheet() {
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.failure).isNull()
        assertThat(input.requests).hasSize(1)
        Map request = input.requests[0]
        assertThat(request.insideNode).isFalse()
        assertThat(request.insideTimeout).isTrue()
        assertThat(timeout.calls).containsExactly([time: 60, unit: 'MINUTES'])
        assertThat(request.id).isEqualTo('Day0Gpu-ptq')
        assertThat(request.ok).isEqualTo('Submit decision')
        assertThat(request.submitter).isEqualTo('alice,release-managers')
        assertThat(request.submitterParameter).isEqualTo('DAY0_APPROVER')
        assertThat(request.parameters*.name).containsExactly('DAY0_DECISION', 'DAY0_BUDGET_CENTS')
        assertThat(request.parameters[0].choices).containsExactly('Approve', 'Reject')
        assertThat(request.parameters[1].defaultValue.toString()).isEqualTo('27000')
        assertThat(kit.node.labels).hasSize(2)
    }

    @Test
    void shouldApproveThenSubmitOnceWithTheTokenOnlyInTheEnvironment() {
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(submit(env: [DATASET: 'gsm8k'], originSkill: 'day0-ptq',
                monitoringProfileId: 'experiment.ml_baseline.v1', notebookId: 'nb-7'))

        assertThat(run.result).isEqualTo('SUCCESS')
        EngineFake.Call approve = kit.engine.calls('rockie approve')[0]
        assertThat(approve.opt('approver')).isEqualTo('alice')
        assertThat(approve.opt('budget-cents')).isEqualTo('27000')
        assertThat(submitted).hasSize(1)
        assertThat(submitted[0].token).isEqualTo(TOKEN)
        assertThat(submitted[0].args).containsExactly('rockie', 'submit', '--script=jobs/ptq.sh',
                '--gpu-type=A100_80GB', '--gpu-count=1', '--timeout=3600', '--region=us', '--tier=spot',
                '--term-sheet=day0/rockie/ptq/approved-term-sheet.json', '--state-file=day0/rockie/ptq/state.json',
                '--artifacts-dir=day0/rockie/ptq/artifacts', '--run-id=model-release.7.ptq', '--env=DATASET=gsm8k',
                '--origin-skill=day0-ptq',
                '--monitoring-profile-id=experiment.ml_baseline.v1', '--notebook-id=nb-7')
        EngineFake.Call submitCall = kit.engine.calls('rockie submit')[0]
        assertThat(submitCall.env.ROCKIELAB_API_URL).isEqualTo('http://127.0.0.1:9/')
        assertThat(submitCall.env.ROCKIELAB_TENANT_ID).isEqualTo('tenant-1')
        assertThat(kit.engine.calls('rockie quote')[0].env.ROCKIELAB_TENANT_TOKEN).isEqualTo(TOKEN)
        assertThat(kit.engine.calls('rockie approve')[0].env).doesNotContainKey('ROCKIELAB_TENANT_TOKEN')
        assertThat(run.value.jobId).isEqualTo('job-1')
        assertThat(run.value.state).isEqualTo('DONE')
        assertThat(run.value.approver).isEqualTo('alice')
        assertThat(run.value.quoteSha256).isEqualTo('a'.multiply(64))
        assertThat(run.value.reattached).isFalse()
        assertThat(jenkins.env).doesNotContainKey('ROCKIELAB_TENANT_TOKEN')
        assertNoTokenAnywhere(jenkins)
    }

    @Test
    void shouldRecordWhoApprovedWhatWhenAgainstWhichSheetHash() {
        input.approve('alice')

        jenkins.run(submit())

        assertThat(kit.archive.archived()).contains('day0/rockie/ptq/term-sheet.json', 'day0/rockie/ptq/term-sheet.txt',
                'day0/rockie/ptq/approved-term-sheet.json', 'day0/rockie/ptq/approval.json',
                'day0/rockie/ptq/state.json', 'day0/rockie/ptq/submission.json')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('approved')
        assertThat(approval.approver).isEqualTo('alice')
        assertThat(approval.approved_by).isEqualTo('alice')
        assertThat(approval.decision_state).isEqualTo('approve')
        assertThat(approval.approved_at).isEqualTo('2026-06-05T10:00:00Z')
        assertThat(approval.quote_sha256).isEqualTo('a'.multiply(64))
        assertThat(approval.budget_cents).isEqualTo(27000)
        assertThat(approval.input_id).isEqualTo('Day0Gpu-ptq')
        assertThat(approval.submission_id).isEqualTo('model-release#7/ptq')
        assertThat(kit.echo.lines.find { it.startsWith('rockieSubmit ptq: GPU spend approved by alice') })
                .contains('2026-06-05T10:00:00Z', 'a'.multiply(64))
    }

    @Test
    void shouldKeepTheApprovalFormToOneLineWithShapeWallClockBudgetAndALinkToTheArchivedSheet() {
        input.approve('alice')

        jenkins.run(submit())

        String message = input.requests[0].message.toString()
        assertThat(message).doesNotContain('\n')
        assertThat(message).isEqualTo("Approve GPU spend for 'ptq': 1 x A100_80GB (spot, us), wall-clock 60 min, " +
                'budget 270.00 USD (estimate 180.00 USD). Term sheet: ' +
                'https://jenkins.example/job/model-release/7/artifact/day0/rockie/ptq/term-sheet.txt')
        assertThat(kit.archive.calls.findIndexOf { it.matched.contains('day0/rockie/ptq/term-sheet.txt') })
                .as('the sheet is archived before the input asks').isZero()
    }

    @Test
    void shouldPrintTheRenderedSheetBeforeAskingAndTheOutcomeAfter() {
        input.approve('alice')

        jenkins.run(submit())

        String log = jenkins.logText()
        int sheet = log.indexOf(RENDERED)
        int asked = log.indexOf("Approve GPU spend for 'ptq'")
        assertThat(sheet).isPositive()
        assertThat(sheet).isLessThan(asked)
        assertThat(log.indexOf('rockieSubmit ptq: GPU spend approved by alice (listed in approvers')).isGreaterThan(asked)
    }

    @Test
    void shouldPassTheApproversWithoutBlanksBecauseBlueOceanMatchesExactly() {
        input.approve('bob')

        FakeJenkins.Run run = jenkins.run(submit(approvers: ' alice , bob ,'))

        assertThat(input.requests[0].submitter).isEqualTo('alice,bob')
        assertThat(run.result).isEqualTo('SUCCESS')
    }

    @Test
    void shouldRecordThatAnAdministratorOverrodeTheApproverList() {
        input.approveAsAdministrator('root')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('SUCCESS')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.approver).isEqualTo('root')
        assertThat(approval.approver_listed).isEqualTo(false)
        assertThat(approval.approved_as).isEqualTo('override')
        assertThat(jenkins.logText()).contains('approved by root (not listed in approvers (alice,release-managers)')
    }

    @Test
    void shouldRecordAListedApproverMatchedCaseInsensitivelyAsJenkinsDoes() {
        input.approve('ALICE')

        jenkins.run(submit())

        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.approver_listed).isEqualTo(true)
        assertThat(approval.approved_as).isEqualTo('listed')
    }

    @Test
    void shouldRequireApproversWithNoDefault() {
        FakeJenkins.Run run = jenkins.run(submit(approvers: null))

        assertThat(run.message()).contains('approvers', 'required')
        assertThat(input.requests).isEmpty()
    }

    @Test
    void shouldNeverArchiveTheJobsDownloadedArtifacts() {
        input.approve('alice')
        kit.engine.on('rockie submit') { EngineFake.Call call ->
            call.writeJson(call.opt('state-file'), [job_id: 'job-1', state: 'DONE', job_done: true, outcome: 'DONE'])
            File checkpoint = call.file("${call.opt('artifacts-dir')}/model.safetensors")
            checkpoint.parentFile.mkdirs()
            checkpoint.bytes = new byte[4096]
            [status: 0]
        }

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(kit.archive.archived()).contains('day0/rockie/ptq/approval.json', 'day0/rockie/ptq/state.json',
                'day0/rockie/ptq/term-sheet.txt')
        assertThat(kit.archive.archived().findAll { it.contains('artifacts') }).isEmpty()
        assertThat(run.value.artifactsDir).isEqualTo('day0/rockie/ptq/artifacts')
    }

    @Test
    void shouldBindTheApprovalKeyAroundApproveAndSubmitOnly() {
        input.approve('alice')
        List<String> keys = []
        ['rockie quote', 'rockie render', 'rockie approve'].each { String command ->
            kit.engine.on(command, wrap(command, keys))
        }

        jenkins.run(submit())

        assertThat(keys).containsExactly('rockie quote=', 'rockie render=', "rockie approve=${APPROVAL_KEY}".toString())
        assertThat(submitted[0].approvalKey).isEqualTo(APPROVAL_KEY)
        assertThat(jenkins.logText()).doesNotContain(APPROVAL_KEY)
    }

    private Closure wrap(String command, List<String> keys) {
        Map pending = SHEET + [decision: [state: 'pending', approvable: true, approved_for_submit: false]]
        return { EngineFake.Call call ->
            keys.add("${command}=${call.env.DAY0_APPROVAL_KEY ?: ''}".toString())
            if (command == 'rockie quote') {
                call.writeJson(call.opt('out'), pending)
                return [status: 0]
            }
            if (command == 'rockie render') {
                return [status: 0, stdout: RENDERED]
            }
            call.writeJson(call.opt('out'), SHEET + [decision: [state: 'approve', approvable: true,
                    approved_for_submit: true, approved_by: call.opt('approver'), approved_at: '2026-06-05T10:00:00Z',
                    quote_sha256: 'a'.multiply(64)]])
            return [status: 0]
        }
    }

    @Test
    void shouldRecordWhoRejectedThroughTheForm() {
        input.rejectInForm('alice')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submitted).isEmpty()
        assertThat(kit.engine.calls('rockie approve')).isEmpty()
        assertThat(run.message()).contains('not approved: rejected by alice; nothing was submitted', 'Decision: NEEDS_HUMAN')
        assertThat(jenkins.currentBuild.description.toString())
                .startsWith('day0 NEEDS_HUMAN at ptq: GPU spend for ptq not approved: rejected by alice; nothing was submitted')
        assertThat(kit.badges.badges*.kind).containsExactly('addInfoBadge')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('rejected')
        assertThat(approval.by).isEqualTo('alice')
        assertThat(approval.decision).isEqualTo('NEEDS_HUMAN')
    }

    @Test
    void shouldRecordAnAbortOfTheApprovalAsAbortedAndLeaveTheBuildAborted() {
        input.reject('bob')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('ABORTED')
        assertThat(submitted).isEmpty()
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('aborted')
        assertThat(approval.decision).isEqualTo('NEEDS_HUMAN')
        assertThat(jenkins.logText()).contains("not approved: aborted after 0 min with the input's Abort button")
        assertThat(jenkins.logText()).doesNotContain('not approved: the approval was rejected or timed out')
    }

    @Test
    void shouldSubmitNothingWhenNobodyApprovesInTime() {
        input.noAnswer()

        FakeJenkins.Run run = jenkins.run(submit(approvalTimeoutMinutes: 15))

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(timeout.calls).containsExactly([time: 15, unit: 'MINUTES'])
        assertThat(submitted).isEmpty()
        assertThat(run.message()).contains('timed out after 15 min: nobody approved', 'nothing was submitted')
        assertThat(jenkins.logText()).contains('rockieSubmit ptq: GPU spend for ptq not approved: timed out after 15 min')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 NEEDS_HUMAN')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('timed_out')
    }

    @Test
    void shouldNotCountAnApprovalFromSomeoneWhoIsNotAnApprover() {
        input.approve('mallory')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(submitted).isEmpty()
        assertThat(run.message()).contains('timed out after 60 min: nobody approved')
    }

    @Test
    void shouldLeaveTheBuildAbortedWhenSomeoneAbortsItWhileWaiting() {
        input.abortBuild('carol')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('ABORTED')
        assertThat(submitted).isEmpty()
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('aborted')
    }

    @Test
    void shouldPassTheBudgetTheApproverChose() {
        input.approve('alice', [DAY0_BUDGET_CENTS: ' 30000 '])

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(kit.engine.calls('rockie approve')[0].opt('budget-cents')).isEqualTo('30000')
        assertThat(run.value.budgetCents).isEqualTo(30000)
        assertThat(submitted).hasSize(1)
    }

    @Test
    void shouldSubmitNothingWhenTheEngineRefusesTheApprovedBudget() {
        input.approve('alice', [DAY0_BUDGET_CENTS: '100'])

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submitted).isEmpty()
        assertThat(run.message()).contains('day0 rockie approve refused the sheet (exit 11, budget 100')
        assertThat(kit.badges.badges*.kind).containsExactly('addInfoBadge')
    }

    @Test
    void shouldApproveWithoutABudgetFieldWhenItIsSwitchedOff() {
        input.approve('alice')

        jenkins.run(submit(budgetParameter: false))

        assertThat(input.requests[0].parameters*.name).containsExactly('DAY0_DECISION')
        assertThat(kit.engine.calls('rockie approve')[0].opt('budget-cents')).isNull()
        assertThat(submitted).hasSize(1)
    }

    @Test
    void shouldAskOnceForEverySubmission() {
        input.approve('alice').approve('alice')

        FakeJenkins.Run run = jenkins.run("""
            ${submit(name: 'baseline-eval').replace('return ', '')}
            ${submit(name: 'quantized-eval').replace('return ', '')}
        """)

        assertThat(run.failure).isNull()
        assertThat(input.requests*.id).containsExactly('Day0Gpu-baseline-eval', 'Day0Gpu-quantized-eval')
        assertThat(kit.engine.calls('rockie approve')*.opt('term-sheet')).containsExactly(
                'day0/rockie/baseline-eval/term-sheet.json', 'day0/rockie/quantized-eval/term-sheet.json')
        assertThat(submitted*.args*.find { it.startsWith('--state-file=') }).containsExactly(
                '--state-file=day0/rockie/baseline-eval/state.json', '--state-file=day0/rockie/quantized-eval/state.json')
    }

    @Test
    void shouldReattachToTheJobAlreadySubmittedWhenTheSameSubmissionRunsAgainInThisBuild() {
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run("""
            def first = ${submit().replace('return ', '')}
            def second = ${submit().replace('return ', '')}
            return [first, second]
        """)

        assertThat(run.failure).isNull()
        assertThat(input.requests).hasSize(1)
        assertThat(kit.engine.calls('rockie approve')).hasSize(1)
        assertThat(submitted*.reattach).containsExactly(false, true)
        assertThat(run.value[1].jobId).isEqualTo('job-1')
        assertThat(run.value[1].reattached).isTrue()
        assertThat(run.value[1].approver).isEqualTo('alice')
    }

    @Test
    void shouldAskAgainWhenTheFilesInTheWorkspaceComeFromAnotherBuild() {
        File old = new File(jenkins.workspace, 'day0/rockie/ptq')
        old.mkdirs()
        new File(old, 'submission.json').text = '{"submission_id": "model-release#6/ptq"}'
        new File(old, 'approved-term-sheet.json').text = '{}'
        new File(old, 'approval.json').text = '{"outcome": "approved", "approver": "alice"}'
        new File(old, 'state.json').text = '{"job_id": "job-from-build-6", "state": "DONE"}'
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(input.requests).hasSize(1)
        assertThat(submitted[0].reattach).isFalse()
        assertThat(run.value.jobId).isEqualTo('job-1')
    }

    @Test
    void shouldRunTheClosureOnTheSubmittingAgentWithTheJob() {
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run("""
            return rockieSubmit(script: 'jobs/ptq.sh', gpuType: 'A100_80GB', gpuCount: 1, timeoutSeconds: 3600,
                    region: 'us', tier: 'spot', termSheet: 'jobs/sheet.json', approvers: 'alice',
                    credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key', tenantId: 't', apiUrl: 'http://127.0.0.1:9/') { job ->
                echo "inside \${env.NODE_NAME}: job \${job.jobId} artifacts \${job.artifactsDir}"
            }
        """.replace('jobs/sheet.json', writeSheet()))

        assertThat(run.failure).isNull()
        assertThat(kit.engine.calls('rockie quote')).isEmpty()
        assertThat(kit.echo.lines).contains('inside agent-1: job job-1 artifacts day0/rockie/ptq/artifacts')
    }

    private String writeSheet() {
        File sheet = new File(jenkins.workspace, 'jobs/sheet.json')
        sheet.text = groovy.json.JsonOutput.toJson(SHEET + [decision: [state: 'pending']])
        return 'jobs/sheet.json'
    }

    @Test
    void shouldStopWithTheEnginesMeaningWhenTheJobFails() {
        input.approve('alice')
        kit.engine.on('rockie submit') { EngineFake.Call call ->
            call.writeJson(call.opt('state-file'), [job_id: 'job-9', state: 'FAILED', job_done: false,
                                                    outcome: 'FAILED: CUDA out of memory'])
            [status: 1, stdout: '{"event": "job", "state": "FAILED"}\n' +
                    '{"event": "end", "exit": {"code": 1, "name": "JOB_FAILED", "meaning": "the job FAILED"}}\n']
        }

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('the job FAILED (exit 1); job job-9, state FAILED')
        assertThat(jenkins.currentBuild.description.toString()).contains('GPU job job-9', 'CUDA out of memory')
        assertThat(kit.archive.archived()).contains('day0/rockie/ptq/state.json')
    }

    @Test
    void shouldSayTheExitCodeWhenTheEngineGivesNoMeaning() {
        input.approve('alice')
        kit.engine.on('rockie submit') { EngineFake.Call call ->
            call.writeJson(call.opt('state-file'), [job_id: 'job-9', state: 'FAILED', job_done: false])
            [status: 7]
        }

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.message()).contains('exit code 7 (exit 7); job job-9')
    }

    @Test
    void shouldRefuseToWaitForApprovalInsideANode() {
        FakeJenkins.Run run = jenkins.run("node { ${submit().replace('return ', '')} }")

        assertThat(run.message()).contains('call it outside node')
        assertThat(input.requests).isEmpty()
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRequireApproversAndACredential() {
        FakeJenkins.Run run = jenkins.run(submit(approvers: '', credentialsId: ''))

        assertThat(run.message()).contains('approvers, credentialsId required')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRefuseASecretInTheJobEnvironment() {
        FakeJenkins.Run run = jenkins.run(submit(env: [HF_TOKEN: 'hf_abc']))

        assertThat(run.message()).contains("'HF_TOKEN' looks like a secret")
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRefuseANameThatWouldLeaveItsDirectory() {
        FakeJenkins.Run run = jenkins.run(submit(name: '..'))

        assertThat(run.message()).contains('name: a letter or digit')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldNeedExactlyOneOfJobSpecAndTermSheet() {
        FakeJenkins.Run run = jenkins.run(submit(termSheet: 'jobs/sheet.json'))

        assertThat(run.message()).contains('exactly one of jobSpec: (to quote) and termSheet:')
    }

    @Test
    void shouldApproveAndSubmitUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = compose(cpsKit, tmp.newFolder('cps'), true)
        input.approve('alice')

        FakeJenkins.Run run = cps.run(submit())

        assertThat(run.failure).isNull()
        assertThat(run.value.jobId).isEqualTo('job-1')
        assertThat(submitted).hasSize(1)
    }

    @Test
    void shouldRejectUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = compose(cpsKit, tmp.newFolder('cps'), true)
        input.rejectInForm('alice')

        FakeJenkins.Run run = cps.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('rejected by alice')
        assertThat(submitted).isEmpty()
    }

    private void assertNoTokenAnywhere(FakeJenkins run) {
        assertThat(run.logText()).doesNotContain(TOKEN)
        assertThat(run.callStackText()).doesNotContain(TOKEN)
        kit.archive.archived().each { String path ->
            assertThat(kit.archive.archived(path).getText('UTF-8')).as(path).doesNotContain(TOKEN)
        }
        run.workspace.eachFileRecurse { File file ->
            if (file.isFile()) {
                assertThat(file.getText('UTF-8')).as(file.path).doesNotContain(TOKEN)
            }
        }
    }
}
