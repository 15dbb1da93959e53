package dev.day0.jenkins

import dev.day0.jenkins.fakes.EngineFake
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class Day0GateTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = kit.plain(tmp.root)
    }

    /** Scripts the run gate to give these verdicts, one per attempt. */
    private void runGateSays(Map... verdicts) {
        List<Map> queue = verdicts as List
        kit.engine.on('gate run') { EngineFake.Call call -> EngineFake.gate(call, queue.remove(0)) }
    }

    private static Map failed(String failureClass, String detail) {
        return [pass: false, failure_class: failureClass, detail: detail]
    }

    private static Map passed(String detail) {
        return [pass: true, failure_class: null, detail: detail]
    }

    @Test
    void shouldPassAndPublishTheGateFilesWhenTheGatePasses() {
        kit.engine.on('gate ptq') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: true, failure_class: null, detail: 'all linear layers covered',
                                   checks: [size: [ratio: 0.31]]])
        }

        FakeJenkins.Run run = jenkins.run("return node { day0Gate(stage: 'ptq', summary: 'evidence/summary.json') }")

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(run.value.pass).isTrue()
        assertThat(run.value.result.checks.size.ratio).isEqualTo(0.31)
        assertThat(kit.engine.calls('gate ptq')*.args).containsExactly(['gate', 'ptq', '--out=day0/ptq/gate.json',
                '--report-dir=day0/ptq', '--stage=ptq', '--summary=evidence/summary.json'])
        assertThat(kit.junit.published*.file).containsExactly('day0/ptq/junit.xml')
        assertThat(kit.archive.archived()).contains('day0/ptq/gate.json', 'day0/ptq/decision.json',
                'day0/ptq/report.md', 'day0/ptq/junit.xml')
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldStopTheBuildNamingTheFailureClassAndTheNextActionFromTriage() {
        kit.engine.on('gate ptq') { EngineFake.Call call ->
            EngineFake.gate(call, failed('QUANT_COVERAGE_FAILURE', '12 linear layers left unquantized'))
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'ptq', summary: 's.json', recipe: 'nvfp4') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('QUANT_COVERAGE_FAILURE', '12 linear layers left unquantized',
                'Decision: INFEASIBLE', "Next: fix the recipe's module wildcards")
        assertThat(kit.engine.calls('triage')*.args).containsExactly(
                ['triage', '--failure-class=QUANT_COVERAGE_FAILURE', '--attempt=1'])
        assertThat(kit.engine.calls('gate ptq')[0].opt('recipe')).isEqualTo('nvfp4')
        // The build shows the engine's recorded decision, the same as decision.json and the release conductor.
        assertThat(jenkins.currentBuild.description.toString()).startsWith('day0 INFEASIBLE at ptq [QUANT_COVERAGE_FAILURE]')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 INFEASIBLE')
        assertThat(kit.badges.badges*.kind).containsExactly('addErrorBadge')
        assertThat(kit.junit.published[0].failures).isEqualTo(1)
        assertThat(kit.archive.archived()).contains('day0/ptq/gate.json')
    }

    @Test
    void shouldRetryTheStageClosureOnceWhenTriageAllowsAndPassTheSecondTime() {
        runGateSays(failed('INFRA_TRANSIENT', 'task gsm8k did not finish'), passed('2 tasks complete'))
        kit.sh.respond({ it.script == './run-eval.sh' }, { [status: 0] })

        FakeJenkins.Run run = jenkins.run("""
            return node {
                day0Gate(stage: 'run', name: 'baseline-eval', run: 'evidence/run-summary.json') {
                    sh './run-eval.sh'
                }
            }""")

        assertThat(run.failure).isNull()
        assertThat(run.value.attempts).isEqualTo(2)
        assertThat(run.value.pass).isTrue()
        List evals = kit.sh.calls.findAll { it.script == './run-eval.sh' }
        assertThat(evals*.env*.DAY0_ATTEMPT).containsExactly('1', '2')
        assertThat(kit.sleep.waits).containsExactly([time: 30, unit: 'SECONDS'])
        assertThat(kit.engine.calls('triage')*.opt('attempt')).containsExactly('1')
        assertThat(kit.engine.calls('gate run')*.opt('stage')).containsExactly('baseline-eval', 'baseline-eval')
        assertThat(run.result).isEqualTo('SUCCESS')
    }

    @Test
    void shouldEndSystemicWhenTheRetriedStageFailsAgain() {
        runGateSays(failed('INFRA_TRANSIENT', 'timeout'), failed('INFRA_TRANSIENT', 'timeout again'))
        kit.sh.respond({ it.script == './run-eval.sh' }, { [status: 0] })

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') { sh './run-eval.sh' } }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('INFRA_TRANSIENT', 'timeout again', 'Decision: SYSTEMIC')
        assertThat(kit.engine.calls('triage')*.opt('attempt')).containsExactly('1', '2')
        assertThat(kit.badges.badges*.kind).containsExactly('addErrorBadge')
        assertThat(kit.badges.badges[0].text).isEqualTo('day0 SYSTEMIC (run)')
    }

    @Test
    void shouldNotRetryWhenTheStageIsNotAClosureAndSaySo() {
        runGateSays(failed('INFRA_TRANSIENT', 'task gsm8k did not finish'))

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('INFRA_TRANSIENT', 'retry the stage once',
                'give day0Gate the stage as a closure')
        assertThat(kit.engine.calls('gate run')).hasSize(1)
        assertThat(kit.sleep.waits).isEmpty()
        assertThat(jenkins.currentBuild.description.toString()).contains('not decided', 'INFRA_TRANSIENT')
    }

    @Test
    void shouldNotRetryWhenRetryIsSwitchedOff() {
        runGateSays(failed('INFRA_TRANSIENT', 'did not finish'))
        kit.sh.respond({ it.script == './run-eval.sh' }, { [status: 0] })

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json', retry: false) { sh './run-eval.sh' } }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(kit.sh.calls.findAll { it.script == './run-eval.sh' }).hasSize(1)
    }

    @Test
    void shouldOnlyMarkTheBuildUnstableWhenFailOnLeavesTheRegressionOut() {
        kit.engine.on('gate compare') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: false, decision: 'REGRESSION', failure_class: null,
                                   detail: 'gsm8k dropped 0.031 > 0.01'])
        }

        FakeJenkins.Run run = jenkins.run("""return node {
            day0Gate(stage: 'compare', baseline: 'b.json', candidate: 'c.json',
                     failOn: ['ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC'])
        }""")

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('UNSTABLE')
        assertThat(run.value.decision).isEqualTo('REGRESSION')
        assertThat(run.value.buildResult).isEqualTo('UNSTABLE')
        assertThat(kit.results.unstableMessages[0]).contains('REGRESSION', 'gsm8k dropped 0.031 > 0.01')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
        assertThat(kit.engine.calls('triage')).isEmpty()
        // No threshold given: the engine's own default applies, the step passes none.
        assertThat(kit.engine.calls('gate compare')[0].opt('threshold')).isNull()
    }

    @Test
    void shouldFailTheBuildOnRegressionByDefault() {
        kit.engine.on('gate compare') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: false, decision: 'REGRESSION', failure_class: null, detail: 'dropped'])
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'compare', baseline: 'b.json', candidate: 'c.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('Decision: REGRESSION')
    }

    @Test
    void shouldRefuseAFailOnListThatLetsBrokenEvidencePass() {
        FakeJenkins.Run run = jenkins.run(
                "node { day0Gate(stage: 'compare', baseline: 'b.json', candidate: 'c.json', failOn: ['REGRESSION']) }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('failOn', 'ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC',
                'only REGRESSION may be left out')
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldTreatInputTheEngineCannotUseAsAUserConfigError() {
        kit.engine.on('gate run') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR',
                                 detail: 'r.json: tasks: is missing']]
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('USER_CONFIG_ERROR', 'r.json: tasks: is missing', 'Decision: NEEDS_HUMAN')
        assertThat(new File(jenkins.workspace, 'day0/run/gate.json').text).contains('USER_CONFIG_ERROR')
    }

    @Test
    void shouldNotPublishReportFilesLeftOverFromAnEarlierBuild() {
        File stale = new File(jenkins.workspace, 'day0/run/junit.xml')
        stale.parentFile.mkdirs()
        stale.text = '<testsuites><testsuite name="old"><testcase name="old"/></testsuite></testsuites>'
        kit.engine.on('gate run') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR', detail: 'r.json: no such file']]
        }

        jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') }")

        assertThat(stale).doesNotExist()
        assertThat(kit.junit.published).isEmpty()
    }

    @Test
    void shouldNotTrustAnExitCodeThatDisagreesWithTheVerdict() {
        kit.engine.on('gate run') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), [pass: false, failure_class: 'UNKNOWN', detail: 'x'])
            [status: 0]
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('disagrees with pass=false', 'not trusting either')
    }

    @Test
    void shouldStopOnAnEngineInternalErrorWithoutADecision() {
        kit.engine.on('gate run') { EngineFake.Call call ->
            [status: 70, stdout: [pass: false, failure_class: 'UNKNOWN', detail: 'internal error: boom']]
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run', run: 'r.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('failed inside the engine (exit 70)', 'internal error: boom')
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldPassScalesThatAreNotAPlainValueThroughAFile() {
        kit.engine.on('gate compare') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'ok'])
        }

        jenkins.run("""node {
            day0Gate(stage: 'compare', baseline: 'b.json', candidate: 'c.json', threshold: 0.02, relative: true,
                     scales: [gsm8k: 1, mmlu_pro: 100], published: 'card.json')
        }""")

        EngineFake.Call call = kit.engine.calls('gate compare')[0]
        assertThat(call.opt('scales')).isEqualTo('@day0/compare/scales.json')
        assertThat(new File(jenkins.workspace, 'day0/compare/scales.json').text).contains('"mmlu_pro": 100')
        assertThat(call.opt('threshold')).isEqualTo('0.02')
        assertThat(call.flag('relative')).isTrue()
        assertThat(call.opt('published')).isEqualTo('card.json')
    }

    @Test
    void shouldRunTheVerbosityGateOnTheTwoEvalsRunDirectories() {
        kit.engine.on('gate verbosity') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: true, failure_class: null, detail: 'mean output length within 5 % on 2 ' +
                    'tasks', per_task: [gsm8k: [delta: 0.02]], max_abs_delta: 0.02])
        }

        FakeJenkins.Run run = jenkins.run("return node { day0Gate(stage: 'verbosity', baseline: 'evals/baseline', " +
                "candidate: 'evals/quantized', threshold: 0.08, glob: 'run_*', exclude: '') }")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(kit.engine.calls('gate verbosity')*.args).containsExactly(['gate', 'verbosity',
                '--out=day0/verbosity/gate.json', '--report-dir=day0/verbosity', '--stage=verbosity',
                '--baseline=evals/baseline', '--candidate=evals/quantized', '--threshold=0.08', '--glob=run_*',
                '--exclude='])
        assertThat(run.value.pass).isTrue()
        assertThat(run.value.result.max_abs_delta).isEqualTo(0.02)
        assertThat(kit.junit.published*.file).containsExactly('day0/verbosity/junit.xml')
        assertThat(kit.archive.archived()).contains('day0/verbosity/gate.json', 'day0/verbosity/decision.json')
    }

    @Test
    void shouldLeaveTheVerbosityRuleToTheEngineWhenNoOptionIsGiven() {
        kit.engine.on('gate verbosity') { EngineFake.Call call -> EngineFake.gate(call, passed('within')) }

        jenkins.run("node { day0Gate(stage: 'verbosity', baseline: 'b', candidate: 'c') }")

        assertThat(kit.engine.calls('gate verbosity')[0].args.findAll {
            it.startsWith('--threshold') || it.startsWith('--glob') || it.startsWith('--exclude')
        }).isEmpty()
    }

    @Test
    void shouldFailTheBuildAsARegressionWhenTheCandidateTalksTooMuch() {
        kit.engine.on('gate verbosity') { EngineFake.Call call ->
            EngineFake.gate(call, failed('VERBOSITY_EXCEEDED', 'gsm8k: mean output 41 % longer than the baseline ' +
                    '(limit 5 %)'))
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'verbosity', baseline: 'b', candidate: 'c') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('day0 gate verbosity failed: VERBOSITY_EXCEEDED', '41 % longer',
                'Decision: REGRESSION')
        assertThat(kit.engine.calls('triage')*.opt('failure-class')).containsExactly('VERBOSITY_EXCEEDED')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
    }

    @Test
    void shouldTakeTheVerdictTheVerbosityGateWroteWhenItHarvestedNothing() {
        kit.engine.on('gate verbosity') { EngineFake.Call call ->
            call.writeJson(call.opt('out'), failed('USER_CONFIG_ERROR', 'no metrics harvested (baseline=0, ' +
                    'candidate=0)'))
            [status: 2]
        }

        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'verbosity', baseline: 'b', candidate: 'c') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('USER_CONFIG_ERROR', 'no metrics harvested (baseline=0, candidate=0)',
                'Decision: NEEDS_HUMAN')
    }

    @Test
    void shouldRefuseAnOptionOfAnotherGate() {
        FakeJenkins.Run glob = jenkins.run("node { day0Gate(stage: 'compare', baseline: 'b', candidate: 'c', " +
                "glob: 'eval_*') }")
        FakeJenkins.Run relative = jenkins.run("node { day0Gate(stage: 'verbosity', baseline: 'b', candidate: 'c', " +
                "relative: true) }")
        FakeJenkins.Run threshold = jenkins.run("node { day0Gate(stage: 'run', run: 'r', threshold: 0.1) }")

        assertThat(glob.message()).isEqualTo('day0Gate: glob: applies only to the verbosity gate, not to compare')
        assertThat(relative.message()).isEqualTo('day0Gate: relative: applies only to the compare gate, not to ' +
                'verbosity')
        assertThat(threshold.message()).isEqualTo('day0Gate: threshold: applies only to the compare and verbosity ' +
                'gate, not to run')
        assertThat(kit.engine.calls).isEmpty()
    }

    @Test
    void shouldRejectAnArgumentItDoesNotKnow() {
        FakeJenkins.Run run = jenkins.run(
                "node { day0Gate(stage: 'compare', baseline: 'b.json', candidate: 'c.json', treshold: 0.05) }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains("unknown argument(s) treshold")
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRequireTheGatesInputs() {
        FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'run') }")

        assertThat(run.message()).contains('the run gate needs run:')
    }

    @Test
    void shouldNeverEmptyADirectoryOutsideItsOwnReportDirectory() {
        ['.', '..', 'day0/..', '/tmp/x', 'a//b', 'day0/./x'].each { String dir ->
            FakeJenkins.Run run = jenkins.run("node { day0Gate(stage: 'ptq', summary: 's.json', reportDir: '${dir}') }")

            assertThat(run.message()).as(dir).contains('reportDir: a relative directory inside the workspace')
        }
        FakeJenkins.Run dots = jenkins.run("node { day0Gate(stage: 'ptq', summary: 's.json', name: '..') }")

        assertThat(dots.message()).contains('name: a letter or digit')
        assertThat(kit.files.deleted).isEmpty()
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRefuseToRunOutsideANode() {
        FakeJenkins.Run run = jenkins.run("day0Gate(stage: 'ptq', summary: 's.json')")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('call it inside node')
    }

    @Test
    void shouldRunTheRetryUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = cpsKit.cps(tmp.newFolder('cps'))
        List<Map> queue = [failed('INFRA_TRANSIENT', 'x'), passed('ok')]
        cpsKit.engine.on('gate run') { EngineFake.Call call -> EngineFake.gate(call, queue.remove(0)) }
        cpsKit.sh.respond({ it.script == './run-eval.sh' }, { [status: 0] })

        FakeJenkins.Run run = cps.run("""
            def outcome = null
            node {
                outcome = day0Gate(stage: 'run', run: 'r.json') { sh './run-eval.sh' }
            }
            return outcome
        """)

        assertThat(run.failure).isNull()
        assertThat(run.value.attempts).isEqualTo(2)
        assertThat(cpsKit.sleep.waits).hasSize(1)
    }
}
