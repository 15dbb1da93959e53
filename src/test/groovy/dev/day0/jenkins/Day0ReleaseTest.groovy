package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.StageFake
import dev.day0.jenkins.fakes.TimeoutFake
import groovy.json.JsonSlurper
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/** day0Release against a scripted engine: it does what each `day0 release step` answer says, and nothing else. */
class Day0ReleaseTest {
    static final String TOKEN = 'rk_secret_token_value_123'
    static final String KEY = 'ak_secret_signing_key_456'

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins
    InputFake input
    StageFake stages
    /** The answers of the scripted engine's `release step`, in order (a peek answers from the next one). */
    List<Map> answers = []
    List<EngineFake.Call> steps = []
    /** Where the scripted engine writes the closeout's reports: the step's workdir. */
    String workdir = 'day0/release'

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = compose(kit, tmp.newFolder('plain'), false)
    }

    private FakeJenkins compose(Kit on, File root, boolean cps) {
        FakeJenkins run = cps ? on.cps(root) : on.plain(root)
        TimeoutFake timeout = new TimeoutFake()
        input = new InputFake(timeout)
        stages = new StageFake()
        run.with(timeout, input, stages, new CredentialsFake(['rockie-token': TOKEN, 'approval-key': KEY]))
        on.engine.on('release step') { EngineFake.Call call ->
            steps.add(call)
            if (call.flag('peek')) {
                return [status: 10, stdout: [done: false, ran: null, next: answers[0].ran ?: answers[0].next,
                                             exit_code: 10, exit: exit(10)]]
            }
            Map answer = answers.remove(0)
            if (answer.done) {
                call.file("${workdir}/report").mkdirs()
                call.file("${workdir}/report/junit.xml").text = '<?xml version="1.0"?><testsuites><testsuite ' +
                        'name="day0"><testcase classname="day0" name="compare"/></testsuite></testsuites>\n'
                call.file("${workdir}/report/decision.json").text = '{"decision": "' + answer.decision.decision +
                        '"}\n'
                call.file("${workdir}/report/report.md").text = '# day0\n'
                call.file("${workdir}/stages/ptq/output").mkdirs()
                call.file("${workdir}/stages/ptq/output/model.safetensors").text = 'weights'
                answer.decision += [decision_file: call.file("${workdir}/report/decision.json").path,
                                    junit_file: call.file("${workdir}/report/junit.xml").path,
                                    report_file: call.file("${workdir}/report/report.md").path]
            }
            return [status: answer.exit_code, stdout: answer]
        }
        return run
    }

    private static Map ran(String stage, String next, boolean pass = true) {
        return [done: false, ran: [stage: stage, pass: pass, failure_class: pass ? null : 'UNKNOWN',
                                   detail: "${stage} detail".toString()],
                next: [action: 'run', stage: next], exit_code: 10, exit: exit(10)]
    }

    /** The exit block the engine puts in every answer (docs/exit-codes.md, ReleaseExit). */
    private static Map exit(int code) {
        Map names = [0: 'ACCEPT', 1: 'REGRESSION', 3: 'ANOMALOUS', 4: 'INFEASIBLE', 5: 'NEEDS_HUMAN', 6: 'SYSTEMIC',
                     10: 'CONTINUE', 11: 'AWAITING_APPROVAL']
        return [code: code, name: names[code], meaning: "meaning of ${names[code]}".toString()]
    }

    private static Map done(String decision, int exitCode) {
        return [done: true, ran: [stage: 'closeout'], next: [action: 'done'], exit_code: exitCode, exit: exit(exitCode),
                decision: [decision: decision, publish_recommendation: decision == 'ACCEPT' ? 'publish' : 'do-not-publish',
                           failure_class: null, detail: "compare: ${decision.toLowerCase()}".toString()]]
    }

    private void chain(String decision, int exitCode) {
        answers.addAll([ran('setup', 'ptq'), ran('ptq', 'ptq_gate'), ran('ptq_gate', 'compare'),
                        ran('compare', 'closeout'), done(decision, exitCode)])
    }

    @Test
    void shouldRunEachEngineStageInAJenkinsStageOfItsNameUntilTheDecision() {
        chain('ACCEPT', 0)

        FakeJenkins.Run run = jenkins.run("return day0Release(plan: 'release.yaml')")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('setup', 'ptq', 'ptq_gate', 'compare', 'closeout')
        assertThat(steps*.args.first()).containsExactly('release', 'step', '--plan=release.yaml',
                '--workdir=day0/release', '--peek')
        assertThat(steps.drop(1)*.args).containsOnly(['release', 'step', '--plan=release.yaml',
                                                      '--workdir=day0/release'])
        assertThat(run.value.decision).isEqualTo('ACCEPT')
        assertThat(run.value.stages).containsExactly('setup', 'ptq', 'ptq_gate', 'compare', 'closeout')
        assertThat(run.value.decisionFile).isEqualTo('day0/release/report/decision.json')
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(kit.junit.published*.file).containsExactly('day0/release/report/junit.xml')
        assertThat(kit.badges.badges*.kind).containsExactly('addBadge')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
        assertThat(jenkins.logText()).contains('day0Release ptq: done: ptq detail')
        assertThat(kit.archive.archived()).contains('day0/release/report/decision.json')
        assertThat(kit.archive.archived().findAll { it.contains('/stages/') }).isEmpty()
        assertThat(input.requests).isEmpty()
    }

    private static Map inLadder(Map answer, String ranCandidate, String nextCandidate) {
        Map copy = answer + [:]
        if (copy.ran instanceof Map && ranCandidate) {
            copy.ran = copy.ran + [candidate: [name: ranCandidate, recipe: ranCandidate]]
        }
        if (copy.next instanceof Map && nextCandidate) {
            copy.next = copy.next + [candidate: [name: nextCandidate, recipe: nextCandidate],
                                     approve_as: "${nextCandidate}:${copy.next.stage}".toString()]
        }
        return copy
    }

    @Test
    void shouldGroupEachLadderCandidatesStagesAndNameTheChosenRecipeOnTheBadge() {
        Map accepted = done('ACCEPT', 0)
        accepted.decision += [chosen: [index: 1, name: 'fp8', recipe: 'fp8']]
        answers.addAll([inLadder(ran('setup', 'ptq'), 'nvfp4', 'nvfp4'),
                        inLadder(ran('ptq', 'compare'), 'nvfp4', 'nvfp4'),
                        inLadder(ran('compare', 'closeout'), 'nvfp4', 'nvfp4'),
                        inLadder(ran('closeout', 'setup', false), 'nvfp4', 'fp8'),
                        inLadder(ran('setup', 'ptq'), 'fp8', 'fp8'),
                        inLadder(ran('ptq', 'closeout'), 'fp8', 'fp8'),
                        inLadder(accepted, 'fp8', null)])

        FakeJenkins.Run run = jenkins.run("return day0Release(plan: 'ladder.yaml')")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('nvfp4 (recipe nvfp4)', 'nvfp4: setup', 'nvfp4: ptq',
                'nvfp4: compare', 'nvfp4: closeout', 'fp8 (recipe fp8)', 'fp8: setup', 'fp8: ptq', 'fp8: closeout')
        assertThat(jenkins.logText()).contains('[Pipeline] { (nvfp4 (recipe nvfp4))',
                'day0Release nvfp4: closeout: failed')
        assertThat(kit.badges.badges*.text).containsExactly('day0 ACCEPT (recipe fp8)')
        assertThat(run.value.stages).endsWith('fp8: closeout')
        assertThat(steps.drop(1)*.args).containsOnly(['release', 'step', '--plan=ladder.yaml',
                                                      '--workdir=day0/release'])
    }

    @Test
    void shouldApproveALadderCandidatesGpuStageAsCandidateColonStage() {
        gpuStage()
        answers.clear()
        File quote = new File(jenkins.workspace, 'plan/quote.json')
        answers.addAll([inLadder(ran('setup', 'quantized_eval'), 'fp8', 'fp8'),
                        inLadder([done: false, ran: null, exit_code: 11, exit: exit(11),
                                  next: [action: 'approve', stage: 'quantized_eval', term_sheet: quote.path,
                                         term_sheet_text: 'Term sheet\n  GPU   1 x A100_80GB\n']], null, 'fp8'),
                        inLadder(ran('quantized_eval', 'closeout'), 'fp8', 'fp8'),
                        inLadder(done('ACCEPT', 0), 'fp8', null)])
        input.approve('bob')

        FakeJenkins.Run run = jenkins.run(GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('fp8 (recipe fp8)', 'fp8: setup', 'fp8: quantized_eval',
                'fp8: closeout')
        assertThat(input.requests*.id).containsExactly('Day0Gpu-fp8-quantized_eval')
        assertThat(input.requests*.insideNode).containsOnly(false)
        assertThat(steps[3].args).contains('--approve=fp8:quantized_eval=day0/approvals/fp8-quantized_eval/' +
                'approved-term-sheet.json')
    }

    /**
     * A ladder candidate fp8 with two GPU stages (ptq, quantized_eval); the engine asks for ptq's approval first.
     * The scripted `release approve` previews both jobs and signs them as one sheet.
     */
    private void gpuCandidate() {
        answers.addAll([inLadder(ran('setup', 'ptq'), 'fp8', 'fp8'),
                        inLadder([done: false, ran: null, exit_code: 11, exit: exit(11),
                                  next: [action: 'approve', stage: 'ptq', term_sheet: 'plan/quote-ptq.json',
                                         term_sheet_text: 'Term sheet ptq\n']], null, 'fp8'),
                        inLadder(ran('ptq', 'quantized_eval'), 'fp8', 'fp8'),
                        inLadder(ran('quantized_eval', 'closeout'), 'fp8', 'fp8'),
                        inLadder(done('ACCEPT', 0), 'fp8', null)])
        Map ptq = [stage: 'ptq', quote_id: 'q_ptq', gpu_type: 'A100_80GB', gpu_count: 1, tier: 'spot', region: 'us',
                   wallclock_minutes: 60, estimate_cents: 18000, budget_cents: 27000, text: 'Rockie GPU term sheet q_ptq\n']
        Map eval = [stage: 'quantized_eval', quote_id: 'q_eval', gpu_type: 'H100_80GB', gpu_count: 2, tier: 'spot',
                    region: 'us', wallclock_minutes: 30, estimate_cents: 9000, budget_cents: 13500,
                    text: 'Rockie GPU term sheet q_eval\n']
        kit.engine.on('release approve') { EngineFake.Call call ->
            if (call.flag('preview')) {
                assertThat(call.env.DAY0_APPROVAL_KEY).as('a preview needs no key').isNull()
                return [status: 0, stdout: [schema: 'day0.release-candidate-preview/1', ladder: 'ladder',
                                            candidate: call.opt('candidate'), recipe: 'fp8', plan: 'ladder-fp8',
                                            jobs: [ptq, eval], total_budget_cents: 40500]]
            }
            assertThat(call.env.DAY0_APPROVAL_KEY).isEqualTo(KEY)
            call.writeJson(call.opt('out'), [schema: 'day0.release-candidate-approval/1', ladder: 'ladder',
                    candidate: call.opt('candidate'), recipe: 'fp8', plan: 'ladder-fp8',
                    jobs: [[stage: 'ptq', quote_id: 'q_ptq', budget_cents: 27000, term_sheet: [:]],
                           [stage: 'quantized_eval', quote_id: 'q_eval', budget_cents: 13500, term_sheet: [:]]],
                    total_budget_cents: 40500, decision: [state: 'approve', approved_by: call.opt('approver'),
                                                          approved_at: '2026-12-02T01:00:00Z']])
            [status: 0]
        }
    }

    private static final String CANDIDATE_GPU = "return day0Release(plan: 'ladder.yaml', approvers: 'alice, bob', " +
            "credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key', approve: 'candidate')"

    @Test
    void shouldApproveAWholeLadderCandidateOnceAndCarryItsSheetToEveryLaterCall() {
        gpuCandidate()
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(CANDIDATE_GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(input.requests*.id).as('one question for both GPU jobs').containsExactly('Day0Gpu-candidate-fp8')
        assertThat(input.requests*.insideNode).containsOnly(false)
        assertThat(input.requests[0].message as String).isEqualTo("Approve GPU spend for candidate 'fp8' (recipe " +
                "fp8): 2 job(s): ptq 1 x A100_80GB (spot, us) 60 min; quantized_eval 2 x H100_80GB (spot, us) 30 min; " +
                'budget 405.00 USD in all, each job once. Term sheets: ' +
                'https://jenkins.example/job/model-release/7/artifact/day0/approvals/candidate-fp8/term-sheet.txt')
        assertThat(input.requests[0].parameters*.name).as('each job keeps its quoted budget')
                .containsExactly('DAY0_DECISION')
        EngineFake.Call sign = kit.engine.calls('release approve').find { !it.flag('preview') }
        assertThat(sign.opt('approver')).isEqualTo('alice')
        assertThat(sign.opt('candidate')).isEqualTo('fp8')
        String sheet = '--approve=fp8=day0/approvals/candidate-fp8/approved-candidate.json'
        assertThat(steps.take(3)*.args.flatten()).doesNotContain(sheet)
        assertThat(steps.drop(3).findAll { !it.args.contains(sheet) }).as('every call after the approval carries ' +
                'the sheet').isEmpty()
        assertThat(steps.size()).as("peek, setup, the approval asked, ptq, quantized_eval, closeout").isEqualTo(6)
        assertThat(steps*.args.flatten().findAll { it.startsWith('--approve=fp8:') }).isEmpty()
        assertThat(jenkins.logText()).contains('Rockie GPU term sheet q_ptq', 'Rockie GPU term sheet q_eval',
                'GPU spend approved by alice (listed in approvers (alice,bob))', '2 job(s) (ptq, quantized_eval), ' +
                '405.00 USD in all, each job once')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/approvals/candidate-fp8/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('approved')
        assertThat(approval.approved_as).isEqualTo('listed')
        assertThat(approval.jobs*.stage).containsExactly('ptq', 'quantized_eval')
        assertThat(approval.total_budget_cents).isEqualTo(40500)
        assertThat(kit.archive.archived()).contains('day0/approvals/candidate-fp8/term-sheet.txt')
        assertThat(jenkins.logText()).doesNotContain(TOKEN).doesNotContain(KEY)
    }

    @Test
    void shouldNotAskAgainForACandidateThisBuildApprovedBeforeItWasRestarted() {
        gpuCandidate()
        File records = new File(jenkins.workspace, 'day0/approvals/candidate-fp8')
        records.mkdirs()
        new File(records, 'approved-candidate.json').text = '{"schema": "day0.release-candidate-approval/1"}\n'
        new File(records, 'approval.json').text = '{"outcome": "approved", "approver": "alice", ' +
                '"submission_id": "model-release#7/candidate-fp8"}\n'

        FakeJenkins.Run run = jenkins.run(CANDIDATE_GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(input.requests).isEmpty()
        assertThat(kit.engine.calls('release approve')).as('neither previewed nor signed again').isEmpty()
        assertThat(steps.drop(3)*.args.flatten()).contains('--approve=fp8=day0/approvals/candidate-fp8/' +
                'approved-candidate.json')
        assertThat(jenkins.logText()).contains('day0Release candidate-fp8: approved earlier in this build by alice')
    }

    @Test
    void shouldSignNothingAndSpendNothingWhenTheCandidateIsRejected() {
        gpuCandidate()
        input.rejectInForm('bob')

        FakeJenkins.Run run = jenkins.run(CANDIDATE_GPU)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('GPU spend for candidate-fp8 not approved: rejected by bob')
        assertThat(kit.engine.calls('release approve').findAll { !it.flag('preview') }).isEmpty()
        assertThat(steps*.args.flatten().findAll { it.startsWith('--approve') }).isEmpty()
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 NEEDS_HUMAN')
    }

    @Test
    void shouldStopBeforeAskingWhenTheEngineCannotPreviewTheCandidate() {
        gpuCandidate()
        kit.engine.on('release approve') { EngineFake.Call call ->
            [status: 9, stdout: '']
        }

        FakeJenkins.Run run = jenkins.run(CANDIDATE_GPU)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('day0Release: candidate fp8 cannot be approved as a whole', '(exit 9)',
                "approve: 'stage' asks per stage")
        assertThat(input.requests).isEmpty()
    }

    @Test
    void shouldRefuseAnApprovalModeItDoesNotKnow() {
        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml', approve: 'ladder')")

        assertThat(run.message()).isEqualTo("day0Release: approve: 'stage' or 'candidate', got 'ladder'")
        assertThat(steps).isEmpty()
    }

    @Test
    void shouldFailTheBuildWithTheEnginesDecisionAfterCloseout() {
        chain('REGRESSION', 1)

        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml')")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).isEqualTo('day0Release: REGRESSION (do-not-publish): compare: regression')
        assertThat(stages.names.last()).isEqualTo('closeout')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
    }

    @Test
    void shouldOnlyMarkTheBuildUnstableWhenFailOnLeavesTheRegressionOut() {
        chain('REGRESSION', 1)

        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml', failOn: ['ANOMALOUS', 'INFEASIBLE', " +
                "'NEEDS_HUMAN', 'SYSTEMIC'])")

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('UNSTABLE')
    }

    @Test
    void shouldStopWithTheEnginesOwnMeaningWhenAStepCannotBeMade() {
        answers.add(ran('setup', 'ptq'))
        answers.add([exit_code: 2, exit: [code: 2, meaning: 'the plan, an option or the state could not be used']])

        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml')")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('the plan, an option or the state could not be used (exit 2)')
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldStopWhenTheExitCodeIsNotTheOneTheAnswerMeans() {
        answers.add(ran('setup', 'ptq') + [exit_code: 3])

        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml')")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('day0 release step stopped').contains('(exit 3)')
    }

    private void gpuStage() {
        File quote = new File(jenkins.workspace, 'plan/quote.json')
        quote.parentFile.mkdirs()
        quote.text = '{"quote_id": "q_1", "estimate_cents": 18000, "user_budget_cents": 27000, "wallclock_minutes": 60, ' +
                '"compute": {"gpu_type": "A100_80GB", "gpu_count": 1, "tier": "spot", "region": "us"}}'
        answers.addAll([ran('setup', 'quantized_eval'),
                        [done: false, ran: null, exit_code: 11, exit: exit(11),
                         next: [action: 'approve', stage: 'quantized_eval', term_sheet: quote.path,
                                term_sheet_text: 'Term sheet\n  GPU   1 x A100_80GB\n']],
                        ran('quantized_eval', 'closeout'), done('ACCEPT', 0)])
        kit.engine.on('rockie approve') { EngineFake.Call call ->
            assertThat(call.env.DAY0_APPROVAL_KEY).isEqualTo(KEY)
            Map quoted = new JsonSlurper().parse(call.file(call.opt('term-sheet'))) as Map
            call.writeJson(call.opt('out'), quoted + [decision: [state: 'approve', approved_by: call.opt('approver'), approved_at: '2026-12-02T01:00:00Z',
                                quote_sha256: 'ab' * 32]])
            [status: 0]
        }
    }

    private static final String GPU = "return day0Release(plan: 'release.yaml', approvers: 'alice, bob', " +
            "credentialsId: 'rockie-token', approvalKeyCredentialsId: 'approval-key')"

    @Test
    void shouldAskTheApproversOutsideAnyNodeBeforeTheGpuStageAndRunItWithTheSignedApproval() {
        gpuStage()
        input.approve('bob')

        FakeJenkins.Run run = jenkins.run(GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('setup', 'quantized_eval', 'closeout')
        assertThat(input.requests*.id).containsExactly('Day0Gpu-quantized_eval')
        assertThat(input.requests*.insideNode).containsOnly(false)
        assertThat(input.requests[0].submitter).isEqualTo('alice,bob')
        assertThat(input.requests[0].message as String).startsWith("Approve GPU spend for 'quantized_eval': " +
                '1 x A100_80GB (spot, us), wall-clock 60 min, budget 270.00 USD')
        assertThat(jenkins.logText()).contains('Term sheet\n  GPU   1 x A100_80GB',
                'GPU spend approved by bob (listed in approvers (alice,bob))')
        EngineFake.Call approve = kit.engine.calls('rockie approve')[0]
        assertThat(approve.opt('approver')).isEqualTo('bob')
        assertThat(steps[3].args).contains('--approve=quantized_eval=day0/approvals/quantized_eval/approved-term-sheet.json')
        assertThat(steps*.env*.ROCKIELAB_TENANT_TOKEN).containsOnly(TOKEN)
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/approvals/quantized_eval/approval.json')) as Map
        assertThat(approval.approver).isEqualTo('bob')
        assertThat(approval.approved_as).isEqualTo('listed')
        assertThat(kit.archive.archived()).contains('day0/approvals/quantized_eval/term-sheet.txt')
        assertThat(jenkins.logText()).doesNotContain(TOKEN).doesNotContain(KEY)
    }

    @Test
    void shouldSpendNothingAndStopNeedsHumanWhenTheGpuStageIsRejected() {
        gpuStage()
        input.rejectInForm('alice')

        FakeJenkins.Run run = jenkins.run(GPU)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('not approved: rejected by alice')
        assertThat(kit.engine.calls('rockie approve')).isEmpty()
        assertThat(steps.findAll { it.args.any { it.startsWith('--approve') } }).isEmpty()
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 NEEDS_HUMAN')
    }

    @Test
    void shouldRefuseAGpuStageWithoutNamedApproversBeforeAskingAnyone() {
        gpuStage()

        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml', credentialsId: 'rockie-token')")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('stage quantized_eval spends GPU money and needs an approval: give approvers:')
        assertThat(input.requests).isEmpty()
    }

    /** A plan whose PTQ runs on agents labelled gpu, the work directory on the filesystem both agents share. */
    private List<String> labelledPtq() {
        workdir = new File(tmp.newFolder('shared'), 'releases/model').path
        kit.node.agent('gpu', 'gpu-node-3', tmp.newFolder('gpu-workspace'))
        List<String> command = ['release', 'step', '--plan', '/shared/plan/release.yaml', '--workdir', workdir,
                                '--expect-stage', 'ptq']
        Map setup = ran('setup', 'ptq')
        setup.next += [agent: 'gpu', command: command]
        answers.addAll([setup + [workdir: workdir], ran('ptq', 'ptq_gate'), ran('ptq_gate', 'closeout'),
                        done('ACCEPT', 0)])
        return command
    }

    @Test
    void shouldRunTheStageTheEngineSendsToALabelledAgentThereInTheSharedWorkDirectory() {
        List<String> command = labelledPtq()

        FakeJenkins.Run run = jenkins.run("return day0Release(plan: '/shared/plan/release.yaml', workdir: args.w)",
                [w: workdir])

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('setup', 'ptq', 'ptq_gate', 'closeout')
        EngineFake.Call ptq = steps.find { it.args.contains('--expect-stage') }
        assertThat(ptq.args).isEqualTo(command)
        assertThat(ptq.cwd).isEqualTo(new File(workdir))
        assertThat(ptq.env.NODE_NAME).isEqualTo('gpu-node-3')
        assertThat(steps.findAll { it != ptq }*.env*.NODE_NAME).containsOnly('agent-1')
        assertThat(steps.findAll { it != ptq }*.cwd).containsOnly(jenkins.workspace)
        assertThat(kit.node.visits.findAll { it.label == 'gpu' }).hasSize(1)
        assertThat(jenkins.logText()).contains("day0Release ptq: on an agent labelled 'gpu' (the plan's agent)")
        // The reports are archived from the shared work directory; the checkpoint stays there.
        assertThat(kit.archive.archived()).contains('report/decision.json', 'report/report.md')
        assertThat(kit.archive.archived().findAll { it.contains('stages/') }).isEmpty()
        assertThat(kit.junit.published*.file).containsExactly('report/junit.xml')
        assertThat(run.value.reportFile).isEqualTo('report/report.md')
        assertThat(jenkins.callStackText()).doesNotContain('stash(')
        assertThat(run.value.decision).isEqualTo('ACCEPT')
    }

    @Test
    void shouldStopWithTheEnginesMeaningWhenTheLabelledAgentCannotContinueTheRun() {
        labelledPtq()
        answers.add(1, [exit_code: 2, exit: [code: 2, meaning: 'the plan, an option or the state could not be used']])

        FakeJenkins.Run run = jenkins.run("day0Release(plan: '/shared/plan/release.yaml', workdir: args.w)",
                [w: workdir])

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('the plan, an option or the state could not be used (exit 2)')
        assertThat(stages.names).containsExactly('setup', 'ptq')
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldRefuseAnAbsoluteWorkDirectoryThatLeavesItself() {
        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml', workdir: '/shared/../etc')")

        assertThat(run.message()).startsWith('day0Release: workdir: a relative directory inside the workspace, or ' +
                "an absolute one on the filesystem the plan's agents share, got '/shared/../etc'")
        assertThat(steps).isEmpty()
    }

    @Test
    void shouldRefuseToHoldAnExecutorWhileAPersonDecides() {
        FakeJenkins.Run run = jenkins.run("node { day0Release(plan: 'release.yaml') }")

        assertThat(run.message()).contains('day0Release waits for people to approve GPU spend')
        assertThat(steps).isEmpty()
    }

    @Test
    void shouldRejectAMisspeltArgument() {
        FakeJenkins.Run run = jenkins.run("day0Release(plan: 'release.yaml', aprovers: 'alice')")

        assertThat(run.message()).startsWith('day0Release: unknown argument(s) aprovers')
    }

    @Test
    void shouldRunTheWholeLoopUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        kit = cpsKit
        jenkins = compose(cpsKit, tmp.newFolder('cps'), true)
        gpuStage()
        input.approve('alice')

        FakeJenkins.Run run = jenkins.run(GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).containsExactly('setup', 'quantized_eval', 'closeout')
        assertThat(run.value.decision).isEqualTo('ACCEPT')
    }

    @Test
    void shouldApproveAWholeCandidateUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        kit = cpsKit
        jenkins = compose(cpsKit, tmp.newFolder('cps'), true)
        gpuCandidate()
        input.approve('bob')

        FakeJenkins.Run run = jenkins.run(CANDIDATE_GPU)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(input.requests*.id).containsExactly('Day0Gpu-candidate-fp8')
        assertThat(run.value.decision).isEqualTo('ACCEPT')
    }
}
