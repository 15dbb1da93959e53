package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.TimeoutFake
import dev.day0.rockie.RockieTestServer
import groovy.json.JsonSlurper
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * rockieSubmit with the built engine (`sh` really runs bin/day0) against the loopback Rockie test server: the
 * quote, the approval form, approve, submit, the job followed to DONE, artifacts downloaded and archived.
 */
class RockieSubmitIT {
    static final String TOKEN = 'rkt_live_Jx4Pq9Wm2Zt7Vn5Hs8Cd'
    static final String APPROVAL_KEY = 'dak_RockieSubmitIT_S1gn1ngK3yNeverLogged'
    static final String MARKET = new File(FakeJenkins.PROJECT,
            'src/test/resources/reference/rockie/budget-term-sheet-fixtures/market_available.json').getText('UTF-8')

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    RockieTestServer rockie
    Kit kit
    FakeJenkins jenkins
    InputFake input

    @Before
    void setUp() {
        rockie = RockieTestServer.start()
        rockie.on('GET', '/api/gpu/market', RockieTestServer.json(200, MARKET))
        rockie.acceptSubmit('rj_1', 18000)
        rockie.jobStates('rj_1', RockieTestServer.poll('RUNNING', 'step 10 loss=2.31', 300),
                RockieTestServer.finished('DONE', 'JOB_DONE', 16500, null))
        rockie.artifacts('rj_1', ['metrics.json': '{"gsm8k": 0.79}'.bytes])
        compose(false)
    }

    /**
     * The run and its fakes; realEngine: every engine call through the runner script and bin/day0, a JVM each, as on
     * an agent (one test does that; the others run the same engine in a resident JVM, see ResidentEngine).
     */
    private void compose(boolean realEngine) {
        kit?.close()
        kit = realEngine ? new Kit().withRealShell() : new Kit().withResidentEngine()
        jenkins = kit.plain(tmp.newFolder(realEngine ? 'real-engine' : 'resident-engine'))
        TimeoutFake timeout = new TimeoutFake()
        input = new InputFake(timeout)
        jenkins.with(timeout, input, new CredentialsFake(['rockie-token': TOKEN, 'approval-key': APPROVAL_KEY]))
        RealEngine.install(jenkins)
        new File(jenkins.workspace, 'jobs').mkdirs()
        new File(jenkins.workspace, 'jobs/eval.sh').text = '#!/usr/bin/env bash\nset -euo pipefail\n' +
                'lm_eval --model vllm --tasks gsm8k --output_path /workspace/results\necho JOB_DONE\n'
    }

    @After
    void tearDown() {
        kit.close()
        rockie.close()
    }

    private String submit(Map extra = [:]) {
        Map args = [script: 'jobs/eval.sh', gpuType: 'A100_80GB', gpuCount: 1, timeoutSeconds: 3600, region: 'us',
                    tier: 'spot', approvers: 'alice', credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key', tenantId: 'tenant-acme',
                    apiUrl: rockie.url().toString(), pollIntervalSeconds: 1,
                    jobSpec: [job_shape: 'eval', gpu_type: 'A100_80GB', gpu_count: 1, region: 'us', tier: 'spot',
                              wallclock_minutes: 60]] + extra
        return "rockieSubmit(${args.collect { k, v -> "${k}: ${v.inspect()}" }.join(', ')})"
    }

    private int submissions() {
        return rockie.count('POST', '/api/jobs/submit')
    }

    @Test
    void shouldRunTheApprovedJobToTheEndAndArchiveItsArtifacts() {
        compose(true)

        input.approve('alice')

        FakeJenkins.Run run = jenkins.run("return ${submit()}")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.jobId).isEqualTo('rj_1')
        assertThat(run.value.state).isEqualTo('DONE')
        assertThat(run.value.jobDone).isTrue()
        assertThat(run.value.outcome).isEqualTo('DONE')
        assertThat(submissions()).isEqualTo(1)
        def post = rockie.requests('POST', '/api/jobs/submit')[0]
        assertThat(post.header('X-Tenant-Token')).isEqualTo(TOKEN)
        assertThat(post.json().get('budget_cents').asInt()).isEqualTo(27000)
        assertThat(post.json().path('spec').path('gpu_type').asText()).isEqualTo('A100_80GB')
        assertThat(input.requests[0].message.toString()).contains('A100_80GB', '180.00')
        assertThat(input.requests[0].parameters.find { it.name == 'DAY0_BUDGET_CENTS' }.defaultValue.toString())
                .isEqualTo('27000')
        assertThat(kit.archive.archived()).contains('day0/rockie/eval/approval.json',
                'day0/rockie/eval/approved-term-sheet.json', 'day0/rockie/eval/state.json',
                'day0/rockie/eval/term-sheet.txt')
        // The job's downloaded artifacts stay on the agent: evidence is archived, job outputs are not.
        assertThat(new File(jenkins.workspace, 'day0/rockie/eval/artifacts/metrics.json')).exists()
        assertThat(kit.archive.archived().findAll { it.contains('/artifacts/') }).isEmpty()
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/eval/approval.json')) as Map
        Map sheet = new JsonSlurper().parse(kit.archive.archived('day0/rockie/eval/approved-term-sheet.json')) as Map
        Map state = new JsonSlurper().parse(kit.archive.archived('day0/rockie/eval/state.json')) as Map
        assertThat(approval.approver).isEqualTo('alice')
        assertThat(approval.approved_by).isEqualTo('alice')
        assertThat(approval.approved_at).isEqualTo(sheet.decision.approved_at)
        assertThat(approval.quote_sha256).matches('[0-9a-f]{64}').isEqualTo(sheet.decision.quote_sha256)
        assertThat(state.quote_sha256).isEqualTo(approval.quote_sha256)
        assertThat(jenkins.logText()).contains('GPU spend approved by alice', 'rockieSubmit eval: GPU job rj_1 DONE')
        assertTokenNowhere()
    }

    @Test
    void shouldSubmitNothingWhenTheApprovalIsRejected() {
        input.rejectInForm('alice')

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submissions()).isZero()
        assertThat(rockie.count('GET', '/api/jobs')).isZero()
        assertThat(jenkins.currentBuild.description.toString()).contains('NEEDS_HUMAN', 'rejected by alice',
                'nothing was submitted')
        assertThat(kit.badges.badges*.kind).containsExactly('addInfoBadge')
        assertThat(kit.archive.archived()).contains('day0/rockie/eval/approval.json')
        assertThat(kit.archive.archived()).doesNotContain('day0/rockie/eval/approved-term-sheet.json')
        assertTokenNowhere()
    }

    @Test
    void shouldSubmitNothingWhenNobodyApprovesInTime() {
        input.noAnswer()

        FakeJenkins.Run run = jenkins.run(submit(approvalTimeoutMinutes: 30))

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submissions()).isZero()
        assertThat(run.message()).contains('timed out after 30 min: nobody approved')
        assertTokenNowhere()
    }

    @Test
    void shouldReattachInsteadOfPostingAgainWhenTheSubmissionRunsAgain() {
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run("""
            def first = ${submit()}
            def second = ${submit()}
            return [first, second]
        """)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(submissions()).isEqualTo(1)
        assertThat(input.requests).hasSize(1)
        assertThat(run.value[1].reattached).isTrue()
        assertThat(run.value[1].jobId).isEqualTo('rj_1')
        assertThat(run.value[1].state).isEqualTo('DONE')
    }

    @Test
    void shouldSubmitWithTheBudgetTheApproverRaised() {
        input.approve('alice', [DAY0_BUDGET_CENTS: '40000'])

        FakeJenkins.Run run = jenkins.run("return ${submit()}")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        Map sheet = new JsonSlurper().parse(kit.archive.archived('day0/rockie/eval/approved-term-sheet.json')) as Map
        assertThat(sheet.decision.state).isEqualTo('modify_then_approve')
        assertThat(rockie.requests('POST', '/api/jobs/submit')[0].json().get('budget_cents').asInt()).isEqualTo(40000)
    }

    @Test
    void shouldSubmitNothingWhenTheApproverSetsABudgetBelowTheEstimate() {
        input.approve('alice', [DAY0_BUDGET_CENTS: '100'])

        FakeJenkins.Run run = jenkins.run(submit())

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submissions()).isZero()
        assertThat(run.message()).contains('day0 rockie approve refused the sheet (exit 11, budget 100')
    }

    private void assertTokenNowhere() {
        assertThat(jenkins.logText()).doesNotContain(TOKEN)
        assertThat(jenkins.callStackText()).doesNotContain(TOKEN)
        kit.archive.archived().each { String path ->
            assertThat(kit.archive.archived(path).getText('UTF-8')).as(path).doesNotContain(TOKEN)
        }
        [jenkins.workspace, new File(jenkins.scratch, 'rockie-ledger')].each { File dir ->
            if (dir.exists()) {
                dir.eachFileRecurse { File file ->
                    if (file.isFile()) {
                        assertThat(file.getText('UTF-8')).as(file.path).doesNotContain(TOKEN)
                    }
                }
            }
        }
    }
}
