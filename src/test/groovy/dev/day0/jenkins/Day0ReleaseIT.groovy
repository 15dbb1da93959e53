package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.StageFake
import dev.day0.jenkins.fakes.TimeoutFake
import dev.day0.release.ReleaseFixture
import dev.day0.rockie.RockieTestServer
import dev.day0.testing.CliRun
import groovy.json.JsonSlurper
import java.nio.charset.StandardCharsets
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * day0Release end to end: `sh` really runs the built engine (bin/day0) through `day0 release step`, on the example
 * plans and on a plan with a GPU stage on the loopback Rockie server; the test answers each approval. Each run's
 * decision is checked against `day0 release run` of the same plan.
 */
class Day0ReleaseIT {
    static final String TOKEN = 'rkt_live_D4yR3leaseITT0kenNeverLogged'
    static final String APPROVAL_KEY = dev.day0.testing.ApprovalKeys.KEY
    static final File EXAMPLES = new File(FakeJenkins.PROJECT, 'examples')
    static final List<String> WHOLE_CHAIN = ['setup', 'ptq', 'ptq_gate', 'baseline_eval', 'baseline_gate',
                                             'quantized_eval', 'quantized_gate', 'compare', 'closeout']
    /** The quickstart also serves its checkpoint once (canary) and gates verbosity after compare. */
    static final List<String> QUICKSTART_CHAIN = ['setup', 'ptq', 'ptq_gate', 'canary', 'canary_gate',
                                                  'baseline_eval', 'baseline_gate', 'quantized_eval',
                                                  'quantized_gate', 'compare', 'verbosity', 'closeout']

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    RockieTestServer rockie
    Kit kit
    FakeJenkins jenkins
    InputFake input
    StageFake stages

    @Before
    void setUp() {
        rockie = RockieTestServer.start()
        compose(false)
    }

    /**
     * The run and its fakes; realEngine: every engine call through the runner script and bin/day0, a JVM each, as on
     * an agent (the infeasible example, the shortest chain, does that; the others send the same calls to one
     * resident engine JVM).
     */
    private void compose(boolean realEngine) {
        kit?.close()
        kit = realEngine ? new Kit().withRealShell() : new Kit().withResidentEngine()
        jenkins = kit.plain(tmp.newFolder(realEngine ? 'jenkins-real-engine' : 'jenkins'))
        TimeoutFake timeout = new TimeoutFake()
        input = new InputFake(timeout)
        stages = new StageFake()
        jenkins.with(timeout, input, stages, new CredentialsFake(['rockie-tenant-token': TOKEN,
                                                                  'day0-approval-key': APPROVAL_KEY]))
        RealEngine.install(jenkins)
    }

    @After
    void tearDown() {
        kit.close()
        rockie.close()
    }

    private FakeJenkins.Run release(String plan, String more = '') {
        return jenkins.run("return day0Release(plan: args.plan${more})", [plan: plan])
    }

    /** `day0 release run` of the same plan, in this JVM, in a work directory of its own. */
    private Map releaseRun(String plan, Map<String, String> env = ReleaseFixture.env()) {
        CliRun run = CliRun.run(env, 'release', 'run', '--plan', plan, '--workdir', tmp.newFolder().path)
        return new JsonSlurper().parseText(run.out()) as Map
    }

    private void assertOnlyEvidenceArchived() {
        List<String> archived = kit.archive.archived()
        assertThat(archived).isNotEmpty()
        // Stage outputs (checkpoints) and Rockie job downloads stay on the agent; the verbosity gate's copies of
        // eval_factory_metrics.json (under evidence/, in the harness's own artifacts/ layout) are evidence.
        assertThat(archived.findAll { it.contains('/stages/') || it ==~ /.*rockie\/[^\/]+\/artifacts\/.*/ }).isEmpty()
        long total = archived.sum { kit.archive.archived(it as String).length() } as long
        assertThat(total).isLessThan(50L * 1024 * 1024)
    }

    @Test
    void shouldAcceptTheQuickstartWithOneJenkinsStagePerPlanStage() {
        String plan = new File(EXAMPLES, 'quickstart/release.yaml').path

        FakeJenkins.Run run = release(plan)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.decision).isEqualTo(releaseRun(plan).decision).isEqualTo('ACCEPT')
        assertThat(stages.names).isEqualTo(QUICKSTART_CHAIN)
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
        assertThat(kit.badges.badges*.kind).containsExactly('addBadge')
        assertThat(kit.junit.published*.file).containsExactly('day0/release/report/junit.xml')
        assertThat(kit.archive.archived()).contains('day0/release/report/decision.json',
                'day0/release/report/report.md', 'day0/release/state.json')
        assertOnlyEvidenceArchived()
        assertThat(input.requests).isEmpty()
        // The checkpoint the PTQ stage wrote stays on the agent.
        assertThat(new File(jenkins.workspace, 'day0/release/stages/ptq/output')).isDirectory()
    }

    @Test
    void shouldRunTheLadderExampleAsOneStageGroupPerCandidateAndBadgeTheChosenRecipe() {
        String plan = new File(EXAMPLES, 'ladder/release.yaml').path

        FakeJenkins.Run run = release(plan)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        Map direct = releaseRun(plan)
        assertThat(run.value.decision).isEqualTo(direct.decision).isEqualTo('ACCEPT')
        assertThat(direct.chosen.name).isEqualTo('fp8')
        assertThat(stages.names).containsSequence('nvfp4 (recipe nvfp4)', 'nvfp4: setup', 'nvfp4: ptq')
        assertThat(stages.names).contains('nvfp4: baseline_eval', 'nvfp4: closeout', 'fp8 (recipe fp8)',
                'fp8: setup', 'fp8: ptq', 'fp8: quantized_eval', 'fp8: closeout')
        assertThat(stages.names.indexOf('fp8 (recipe fp8)')).isGreaterThan(stages.names.indexOf('nvfp4: closeout'))
        assertThat(kit.badges.badges*.kind).containsExactly('addBadge')
        assertThat(kit.badges.badges*.text).containsExactly('day0 ACCEPT (recipe fp8)')
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(kit.junit.published*.file).containsExactly('day0/release/junit.xml')
        Map decision = new JsonSlurper().parse(kit.archive.archived('day0/release/decision.json')) as Map
        assertThat(decision.chosen.recipe).isEqualTo('fp8')
        assertThat(kit.archive.archived()).contains('day0/release/ladder.json', 'day0/release/report.html',
                'day0/release/candidates/1-fp8/report/decision.json')
        assertOnlyEvidenceArchived()
        assertThat(decision.candidates[1].baseline_from as String).as('fp8 reuses the one baseline eval')
                .endsWith('candidates/0-nvfp4')
        assertThat(jenkins.logText()).contains('reusing the baseline eval of candidates/0-nvfp4')
    }

    @Test
    void shouldEndTheRegressionExampleAsAFailedBuildAfterItsCloseout() {
        String plan = new File(EXAMPLES, 'regression/release.yaml').path

        FakeJenkins.Run run = release(plan)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(releaseRun(plan).decision).isEqualTo('REGRESSION')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 REGRESSION')
        assertThat(stages.names).isEqualTo(WHOLE_CHAIN)
        assertThat(run.message()).startsWith('day0Release: REGRESSION (do-not-publish)')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
        Map decision = new JsonSlurper().parse(kit.archive.archived('day0/release/report/decision.json')) as Map
        assertThat(decision.decision).isEqualTo('REGRESSION')
        assertOnlyEvidenceArchived()
    }

    @Test
    void shouldStopTheInfeasibleExampleAtThePtqGateWithoutEvaluating() {
        compose(true)
        String plan = new File(EXAMPLES, 'infeasible/release.yaml').path

        FakeJenkins.Run run = release(plan)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(releaseRun(plan).decision).isEqualTo('INFEASIBLE')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 INFEASIBLE')
        assertThat(stages.names).containsExactly('setup', 'ptq', 'ptq_gate', 'closeout')
        assertThat(kit.badges.badges*.kind).containsExactly('addErrorBadge')
        assertThat(new File(jenkins.workspace, 'day0/release/stages/baseline_eval')).doesNotExist()
        assertOnlyEvidenceArchived()
    }

    @Test
    void shouldContinueARestartedBuildWithoutRepeatingWork() {
        ReleaseFixture fixture = new ReleaseFixture(new File(jenkins.workspace, 'plan').toPath())
        String plan = fixture.plan().toString()
        jenkins.run("""node { dir(pwd()) { day0Engine(command: ['release', 'step', '--plan=${plan}',
                '--workdir=day0/release']); day0Engine(command: ['release', 'step', '--plan=${plan}',
                '--workdir=day0/release']) } }""")
        assertThat(fixture.runs()).containsExactly('ptq 1')

        FakeJenkins.Run run = release(plan)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('ptq_gate', 'baseline_eval', 'baseline_gate', 'quantized_eval',
                'quantized_gate', 'compare', 'closeout')
        assertThat(fixture.runs()).containsExactly('ptq 1', 'baseline_eval 1', 'quantized_eval 1')
        assertThat(run.value.decision).isEqualTo('ACCEPT')
    }

    // ------------------------------------------------------------------------------ a stage on a labelled agent

    /** The fixture's plan with PTQ on agents labelled gpu; the plan and the work directory in one shared directory. */
    private ReleaseFixture labelledPlan(File shared) {
        ReleaseFixture fixture = new ReleaseFixture(new File(shared, 'plan').toPath())
        fixture.ptq = fixture.ptq.replace('    runner: local\n', '    runner: local\n    agent: gpu\n')
        fixture.extra = "agents:\n  shared_dir: ${shared.path}\n"
        kit.node.agent('gpu', 'gpu-node-3', tmp.newFolder('gpu-workspace'))
        return fixture
    }

    @Test
    void shouldRunAStageOnTheLabelledAgentInTheSharedWorkDirectoryAndDecideAsReleaseRun() {
        File shared = tmp.newFolder('shared')
        ReleaseFixture fixture = labelledPlan(shared)
        String plan = fixture.plan().toString()
        File workdir = new File(shared, 'work')

        FakeJenkins.Run run = jenkins.run("return day0Release(plan: args.plan, workdir: args.workdir)",
                [plan: plan, workdir: workdir.path])

        assertThat(run.failure).as(jenkins.logText()).isNull()
        // Each stage ran once (release run, below, appends to the same runs.log).
        assertThat(fixture.runs()).containsExactly('ptq 1', 'baseline_eval 1', 'quantized_eval 1')
        Map same = releaseRun(plan)
        assertThat(run.value.decision).as(same.toString()).isEqualTo(same.decision).isEqualTo('ACCEPT')
        assertThat(stages.names).isEqualTo(WHOLE_CHAIN)
        assertThat(kit.node.visits.findAll { it.label == 'gpu' }*.name).containsExactly('gpu-node-3')
        // The PTQ call ran there, in the shared work directory, with the engine's own command.
        File call = new File(workdir, '.day0/calls/release-step-ptq-gpu.args')
        assertThat(call).isFile()
        assertThat(call.readLines()).containsExactly('release', 'step', '--plan', plan, '--workdir', workdir.path,
                '--expect-stage', 'ptq')
        assertThat(new File(jenkins.workspace, '.day0/calls/release-step-ptq-gpu.args')).doesNotExist()
        assertThat(jenkins.logText()).contains("day0Release ptq: on an agent labelled 'gpu'")
        assertThat(kit.archive.archived()).contains('report/decision.json', 'report/report.md', 'state.json')
        assertThat(kit.junit.published*.file).containsExactly('report/junit.xml')
        assertOnlyEvidenceArchived()
        assertThat(jenkins.callStackText()).doesNotContain('stash(')
    }

    @Test
    void shouldStopBeforeAnythingRunsWhenTheWorkDirectoryIsNotOnTheSharedFilesystem() {
        File shared = tmp.newFolder('shared')
        ReleaseFixture fixture = labelledPlan(shared)
        String plan = fixture.plan().toString()

        FakeJenkins.Run run = jenkins.run("day0Release(plan: args.plan)", [plan: plan])

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.logText()).contains("${plan}: agents.shared_dir: the work directory " +
                "${new File(jenkins.workspace, 'day0/release').path} is not inside ${shared.path}")
        assertThat(run.message()).contains('day0Release: day0 release step stopped:', '(exit 2)')
        assertThat(stages.names).isEmpty()
        assertThat(fixture.runs()).isEmpty()
    }

    // ------------------------------------------------------------------------------------- a GPU stage on Rockie

    /** A plan whose quantized eval is a Rockie job, quoted for A100_80GB x1, 60 minutes; the job succeeds. */
    private ReleaseFixture rockiePlan() {
        ReleaseFixture fixture = new ReleaseFixture(new File(jenkins.workspace, 'plan').toPath())
        fixture.file('job.sh', '#!/usr/bin/env bash\nset -euo pipefail\necho evaluating\necho JOB_DONE\n')
        fixture.quantized = '  quantized_eval:\n    runner: rockie\n    script: job.sh\n    gpu_type: A100_80GB\n' +
                '    gpu_count: 1\n    region: us\n    tier: spot\n    timeout_seconds: 3600\n' +
                '    term_sheet: quote.json\n    poll_interval_seconds: 0.01\n' +
                '    evidence: {run_summary: "{stage_dir}/artifacts/run-summary.json", ' +
                'scores: "{stage_dir}/artifacts/scores.json"}\n'
        fixture.file('spec.json', '{"job_shape": "eval", "gpu_type": "A100_80GB", "gpu_count": 1, ' +
                '"region": "us", "tier": "spot", "wallclock_minutes": 60}')
        quote(fixture, 'quote.json')
        rockie.acceptSubmit('rj_quant', 17500)
        evalJobSucceeds('rj_quant', '69.5', '79.6', 900)
        return fixture
    }

    /** The eval job ends DONE, billed, with a run summary and the scores mmlu and gsm8k; the steps' platform. */
    private void evalJobSucceeds(String job, String mmlu, String gsm8k, long billedCents) {
        rockie.jobStates(job, RockieTestServer.poll('RUNNING', 'evaluating', 120),
                RockieTestServer.finished('DONE', 'JOB_DONE', billedCents, null))
                .artifacts(job, ['run-summary.json': ReleaseFixture.runSummary('SUCCESS', mmlu as double,
                        gsm8k as double, '[]').getBytes(StandardCharsets.UTF_8),
                        'scores.json': "{\"mmlu\": ${mmlu}, \"gsm8k\": ${gsm8k}}\n".getBytes(StandardCharsets.UTF_8)])
        jenkins.env.ROCKIELAB_API_URL = rockie.url().toString()
        jenkins.env.ROCKIELAB_TENANT_ID = 'tenant-release'
    }

    /** `day0 rockie quote` of the fixture's spec.json against the reference market, written to name. */
    private void quote(ReleaseFixture fixture, String name) {
        String market = new File(FakeJenkins.PROJECT,
                'src/test/resources/reference/rockie/budget-term-sheet-fixtures/market_available.json').path
        CliRun quote = CliRun.run(rockieEnv(), 'rockie', 'quote', '--job-spec', fixture.dir.resolve('spec.json')
                .toString(), '--market-json', market, '--out', fixture.dir.resolve(name).toString())
        assertThat(quote.exitCode()).as(quote.toString()).isEqualTo(0)
    }

    private Map<String, String> rockieEnv() {
        Map<String, String> env = ReleaseFixture.env()
        env.putAll(rockie.env(TOKEN, 'tenant-release'))
        env.put('DAY0_ROCKIE_LEDGER_DIR', tmp.newFolder().path)
        env.put(dev.day0.rockie.ApprovalKey.ENV, APPROVAL_KEY)
        return env
    }

    private static final String GPU = ", approvers: 'alice,bob', credentialsId: 'rockie-tenant-token', " +
            "approvalKeyCredentialsId: 'day0-approval-key'"

    @Test
    void shouldAskBeforeTheGpuSpendAndSubmitExactlyOnceUnderTheApproval() {
        ReleaseFixture fixture = rockiePlan()
        input.approve('alice')

        FakeJenkins.Run run = release(fixture.plan().toString(), GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.decision).isEqualTo('ACCEPT')
        assertThat(stages.names).isEqualTo(WHOLE_CHAIN)
        assertThat(input.requests*.id).containsExactly('Day0Gpu-quantized_eval')
        assertThat(input.requests*.insideNode).containsOnly(false)
        assertThat(input.requests*.insideTimeout).containsOnly(true)
        assertThat(input.requests[0].message as String).startsWith("Approve GPU spend for 'quantized_eval': " +
                '1 x A100_80GB (spot, us), wall-clock 60 min')
        assertThat(rockie.count('POST', '/api/jobs/submit')).isEqualTo(1)
        assertThat(rockie.requests('POST', '/api/jobs/submit')*.header('X-Tenant-Token')).containsOnly(TOKEN)
        assertThat(jenkins.logText()).contains('GPU spend waiting for approval by alice,bob',
                'GPU spend approved by alice (listed in approvers (alice,bob))')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/approvals/quantized_eval/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('approved')
        assertThat(approval.approver).isEqualTo('alice')
        assertThat(kit.archive.archived()).contains('day0/approvals/quantized_eval/term-sheet.txt',
                'day0/release/rockie/quantized_eval/approved-term-sheet.json')
        assertOnlyEvidenceArchived()
        assertSecretsNowhere()
    }

    @Test
    void shouldSpendNothingWhenTheGpuStageIsRejected() {
        ReleaseFixture fixture = rockiePlan()
        input.rejectInForm('bob')

        FakeJenkins.Run run = release(fixture.plan().toString(), GPU)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(rockie.count('POST', '/api/jobs/submit')).isZero()
        assertThat(stages.names.last()).isEqualTo('quantized_eval')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 NEEDS_HUMAN')
        assertThat(run.message()).contains('not approved: rejected by bob', 'nothing was submitted')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/approvals/quantized_eval/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('rejected')
        assertSecretsNowhere()
    }

    // ------------------------------------------------------------- a ladder candidate approved as a whole

    /**
     * A ladder: candidate a runs locally and regresses; candidate b runs its PTQ and its quantized eval as Rockie
     * jobs, each with its own quote; both jobs succeed and b is accepted.
     */
    private ReleaseFixture gpuLadderPlan() {
        ReleaseFixture fixture = new ReleaseFixture(new File(jenkins.workspace, 'plan').toPath())
        fixture.file('job.sh', '#!/usr/bin/env bash\nset -euo pipefail\necho working\necho JOB_DONE\n')
        fixture.file('summary-a.json', ReleaseFixture.GOOD_SUMMARY.replace('4600', '4000'))
        fixture.run('q-a', 67.0d, 80.0d)
        fixture.file('spec.json', '{"job_shape": "ptq_eval", "gpu_type": "A100_80GB", "gpu_count": 1, ' +
                '"region": "us", "tier": "spot", "wallclock_minutes": 60}')
        quote(fixture, 'quote-ptq.json')
        quote(fixture, 'quote-eval.json')
        Closure<String> onRockie = { String quote ->
            '      runner: rockie\n      script: job.sh\n      gpu_type: A100_80GB\n      gpu_count: 1\n' +
                    '      region: us\n      tier: spot\n      timeout_seconds: 3600\n      term_sheet: ' + quote + '\n' +
                    '      poll_interval_seconds: 0.01\n'
        }
        String a = '  - name: a\n    recipe: nvfp4\n    ptq:\n      runner: local\n' +
                '      command: [sh, stage.sh, summary-a.json]\n      timeout_seconds: 60\n' +
                '      evidence: {summary: "{stage_dir}/summary-a.json"}\n' +
                '    quantized_eval:\n      runner: local\n      command: [sh, stage.sh, q-a/run-summary.json, ' +
                'q-a/scores.json]\n      timeout_seconds: 60\n' +
                '      evidence: {run_summary: "{stage_dir}/run-summary.json", scores: "{stage_dir}/scores.json"}\n'
        String b = '  - name: b\n    recipe: fp8\n    ptq:\n' + onRockie('quote-ptq.json') +
                '      evidence: {summary: "{stage_dir}/artifacts/summary.json"}\n' +
                '    quantized_eval:\n' + onRockie('quote-eval.json') +
                '      evidence: {run_summary: "{stage_dir}/artifacts/run-summary.json", ' +
                'scores: "{stage_dir}/artifacts/scores.json"}\n'
        fixture.file('release.yaml', fixture.header.replace('recipe: nvfp4\n', '') + 'ladder: {mode: first}\n' +
                'candidates:\n' + a + b + 'stages:\n' + fixture.baseline)
        rockie.on('POST', '/api/jobs/submit',
                RockieTestServer.json(200, '{"job_id": "rj_ptq_b", "estimated_cost_cents": 17500}'),
                RockieTestServer.json(200, '{"job_id": "rj_eval_b", "estimated_cost_cents": 17500}'))
        rockie.jobStates('rj_ptq_b', RockieTestServer.poll('RUNNING', 'working', 100),
                RockieTestServer.finished('DONE', 'JOB_DONE', 900, null))
                .artifacts('rj_ptq_b', ['summary.json': ReleaseFixture.GOOD_SUMMARY.replace('4600', '8000')
                        .replace('NVFP4', 'FP8').replace('nvfp4', 'fp8').getBytes(StandardCharsets.UTF_8)])
        evalJobSucceeds('rj_eval_b', '69.9', '79.9', 700)
        return fixture
    }

    @Test
    void shouldApproveEveryGpuJobOfALadderCandidateWithOneClickAndSubmitEachOnce() {
        ReleaseFixture fixture = gpuLadderPlan()
        input.approve('alice')

        FakeJenkins.Run run = release(fixture.dir.resolve('release.yaml').toString(), GPU + ", approve: 'candidate'")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.decision).isEqualTo('ACCEPT')
        assertThat(input.requests*.id).as('one approval for both of b\'s jobs').containsExactly('Day0Gpu-candidate-b')
        assertThat(input.requests[0].message as String).startsWith("Approve GPU spend for candidate 'b' (recipe " +
                "fp8): 2 job(s): ptq 1 x A100_80GB (spot, us) 60 min; quantized_eval 1 x A100_80GB (spot, us) 60 min")
        assertThat(rockie.count('POST', '/api/jobs/submit')).as('each job once').isEqualTo(2)
        assertThat(stages.names).contains('b (recipe fp8)', 'b: ptq', 'b: quantized_eval')
        assertThat(kit.badges.badges*.text).containsExactly('day0 ACCEPT (recipe fp8)')
        assertThat(jenkins.logText()).contains('approves 2 job(s) of candidate b: ptq, quantized_eval',
                'GPU spend approved by alice (listed in approvers (alice,bob))')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/approvals/candidate-b/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('approved')
        assertThat(approval.jobs*.stage).containsExactly('ptq', 'quantized_eval')
        Map decision = new JsonSlurper().parse(kit.archive.archived('day0/release/decision.json')) as Map
        assertThat(decision.chosen.name).isEqualTo('b')
        assertThat(decision.candidates[1].spend.billed_cents).as('the platform\'s bills').isEqualTo(1600)
        assertOnlyEvidenceArchived()
        assertSecretsNowhere()
    }

    @Test
    void shouldSubmitNoJobOfARejectedCandidate() {
        ReleaseFixture fixture = gpuLadderPlan()
        input.rejectInForm('bob')

        FakeJenkins.Run run = release(fixture.dir.resolve('release.yaml').toString(), GPU + ", approve: 'candidate'")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(rockie.count('POST', '/api/jobs/submit')).isZero()
        assertThat(run.message()).contains('GPU spend for candidate-b not approved: rejected by bob')
        assertSecretsNowhere()
    }

    private void assertSecretsNowhere() {
        [TOKEN, APPROVAL_KEY].each { String secret ->
            assertThat(jenkins.logText()).doesNotContain(secret)
            assertThat(jenkins.callStackText()).doesNotContain(secret)
            kit.archive.archived().each { String path ->
                assertThat(kit.archive.archived(path).getText('ISO-8859-1')).as(path).doesNotContain(secret)
            }
            jenkins.workspace.eachFileRecurse { File file ->
                if (file.isFile()) {
                    assertThat(file.getText('ISO-8859-1')).as(file.path).doesNotContain(secret)
                }
            }
        }
    }
}
