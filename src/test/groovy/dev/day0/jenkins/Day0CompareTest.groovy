package dev.day0.jenkins

import dev.day0.jenkins.fakes.EngineFake
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class Day0CompareTest {
    static final Map PER_TASK = [gsm8k: [baseline: 0.8, candidate: 0.795, within_threshold: true],
                                 mmlu_pro: [baseline: 0.7, candidate: 0.69, within_threshold: true]]

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = kit.plain(tmp.root)
    }

    /** The compare gate says `gate`; `day0 report` over the chain decides `decision`. */
    private void engineDecides(Kit on, Map gate, String decision, String detail, String failureClass = null) {
        on.engine.on('gate compare') { EngineFake.Call call -> EngineFake.gate(call, gate + [per_task: PER_TASK]) }
        on.engine.on('report') { EngineFake.Call call ->
            String dir = call.opt('report-dir')
            call.writeJson("${dir}/decision.json", [schema: 'day0.decision/1', decision: decision])
            call.file("${dir}/report.md").text = "# day0 decision: ${decision}\n"
            call.file("${dir}/junit.xml").text = '<testsuites/>'
            [status: decision == 'ACCEPT' ? 0 : 1,
             stdout: [decision: decision, publish_recommendation: decision == 'ACCEPT' ? 'publish' : 'do-not-publish',
                      failure_class: failureClass, detail: detail,
                      files: ["${dir}/decision.json", "${dir}/report.md", "${dir}/junit.xml"]]]
        }
    }

    private static final String COMPARE = """
        Map decision = null
        node {
            decision = day0Compare(baseline: 'scores/base.json', candidate: 'scores/cand.json', threshold: 0.01,
                                   chain: [ptq: 'day0/ptq/gate.json',
                                           runs: ['baseline-eval': 'day0/baseline-eval/gate.json',
                                                  'quantized-eval': 'day0/quantized-eval/gate.json']],
                                   inputs: [recipe: 'recipes/nvfp4.yaml'])
        }
        echo "closeout runs after: \${decision.decision}"
        return decision
    """

    @Test
    void shouldShowAnAcceptWithAGreenBadgeAndASuccessfulBuild() {
        engineDecides(kit, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'all 2 tasks within 0.01'],
                'ACCEPT', 'compare: all 2 tasks within threshold 0.01')

        FakeJenkins.Run run = jenkins.run(COMPARE)

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(run.value.decision).isEqualTo('ACCEPT')
        assertThat(run.value.publishRecommendation).isEqualTo('publish')
        assertThat(run.value.buildResult).isEqualTo('SUCCESS')
        assertThat(run.value.tasks.keySet()).containsExactly('gsm8k', 'mmlu_pro')
        assertThat(run.value.decisionFile).isEqualTo('day0/closeout/decision.json')
        assertThat(kit.badges.badges).hasSize(1)
        Map badge = kit.badges.badges[0]
        assertThat(badge.kind).isEqualTo('addBadge')
        assertThat(badge.icon).isEqualTo('symbol-checkmark-circle plugin-ionicons-api')
        assertThat(badge.style).isEqualTo('color: var(--success-color)')
        assertThat(badge.text).isEqualTo('day0 ACCEPT')
        assertThat(badge.link).isEqualTo('https://jenkins.example/job/model-release/7/artifact/day0/closeout/report.md')
        assertThat(jenkins.currentBuild.description.toString())
                .isEqualTo('day0 ACCEPT: compare: all 2 tasks within threshold 0.01')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
        assertThat(kit.echo.lines).contains('closeout runs after: ACCEPT')
    }

    @Test
    void shouldCloseOutTheWholeChainWithDayZeroReport() {
        engineDecides(kit, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'ok'], 'ACCEPT', 'ok')

        jenkins.run(COMPARE)

        EngineFake.Call report = kit.engine.calls('report')[0]
        assertThat(report.args).containsExactly('report', '--report-dir=day0/closeout', '--ptq=day0/ptq/gate.json',
                '--run=baseline-eval=day0/baseline-eval/gate.json', '--run=quantized-eval=day0/quantized-eval/gate.json',
                '--compare=day0/compare/gate.json', '--input=baseline=scores/base.json',
                '--input=candidate=scores/cand.json', '--input=recipe=recipes/nvfp4.yaml')
        assertThat(kit.junit.published*.file).containsExactly('day0/compare/junit.xml')
        assertThat(kit.archive.archived()).contains('day0/compare/gate.json', 'day0/closeout/decision.json',
                'day0/closeout/report.md', 'day0/closeout/junit.xml')
    }

    @Test
    void shouldHandTheVerbosityGateToTheCloseoutSoTheDecisionHasIt() {
        engineDecides(kit, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'ok'], 'ACCEPT', 'ok')

        jenkins.run(COMPARE.replace("runs: ['baseline-eval'", "verbosity: 'day0/verbosity/gate.json', runs: ['baseline-eval'"))

        EngineFake.Call report = kit.engine.calls('report')[0]
        assertThat(report.args).containsSubsequence('--compare=day0/compare/gate.json',
                '--verbosity=day0/verbosity/gate.json')
    }

    @Test
    void shouldFailTheBuildOnARegressionButLetTheCloseoutRun() {
        engineDecides(kit, [pass: false, decision: 'REGRESSION', failure_class: null, detail: 'gsm8k dropped 0.03'],
                'REGRESSION', 'compare: gsm8k dropped 0.03 > 0.01')

        FakeJenkins.Run run = jenkins.run(COMPARE)

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.value.decision).isEqualTo('REGRESSION')
        assertThat(kit.results.caught[0]).contains('day0 decision REGRESSION (do-not-publish)', 'gsm8k dropped 0.03')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
        assertThat(kit.echo.lines).contains('closeout runs after: REGRESSION')
    }

    @Test
    void shouldMarkARegressionUnstableWhenFailOnLeavesItOut() {
        engineDecides(kit, [pass: false, decision: 'REGRESSION', failure_class: null, detail: 'dropped'],
                'REGRESSION', 'compare: dropped')

        FakeJenkins.Run run = jenkins.run("""return node {
            day0Compare(baseline: 'b.json', candidate: 'c.json', failOn: ['ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC'])
        }""")

        assertThat(run.result).isEqualTo('UNSTABLE')
        assertThat(run.value.buildResult).isEqualTo('UNSTABLE')
        assertThat(kit.results.unstableMessages).hasSize(1)
    }

    @Test
    void shouldShowEachDecisionWithItsBadgeKind() {
        Map expected = [ANOMALOUS: 'addWarningBadge', INFEASIBLE: 'addErrorBadge', SYSTEMIC: 'addErrorBadge',
                        NEEDS_HUMAN: 'addInfoBadge']
        expected.each { String decision, String kind ->
            Kit each = new Kit()
            FakeJenkins run = each.plain(tmp.newFolder(decision))
            engineDecides(each, [pass: false, decision: 'ANOMALOUS', failure_class: 'UNKNOWN', detail: 'x'],
                    decision, "chain: ${decision}", 'UNKNOWN')

            FakeJenkins.Run finished = run.run(COMPARE)

            assertThat(finished.result).as(decision).isEqualTo('FAILURE')
            assertThat(each.badges.badges*.kind).as(decision).containsExactly(kind)
            assertThat(run.currentBuild.displayName.toString()).isEqualTo("#7 ${decision}".toString())
        }
    }

    @Test
    void shouldTakeTheDecisionFromTheChainReportNotFromTheCompareGateAlone() {
        engineDecides(kit, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'within threshold'],
                'INFEASIBLE', 'ptq: output is 1.02x the source size', 'SIZE_NOT_REDUCED')

        FakeJenkins.Run run = jenkins.run(COMPARE)

        assertThat(run.value.decision).isEqualTo('INFEASIBLE')
        assertThat(run.value.failureClass).isEqualTo('SIZE_NOT_REDUCED')
        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(kit.badges.badges*.kind).containsExactly('addErrorBadge')
    }

    @Test
    void shouldStillShowTheDecisionWhenTheBadgePluginIsMissing() {
        Kit bare = new Kit().withoutBadgePlugin()
        FakeJenkins run = bare.plain(tmp.newFolder('bare'))
        engineDecides(bare, [pass: false, decision: 'REGRESSION', failure_class: null, detail: 'dropped'],
                'REGRESSION', 'compare: dropped')

        FakeJenkins.Run finished = run.run(COMPARE)

        assertThat(finished.value.decision).isEqualTo('REGRESSION')
        assertThat(bare.badges.attempted).isNotEmpty()
        assertThat(run.currentBuild.description.toString()).isEqualTo('day0 REGRESSION: compare: dropped')
        assertThat(run.currentBuild.displayName.toString()).isEqualTo('#7 REGRESSION')
        assertThat(bare.echo.lines.find { it.contains('Badge plugin is not installed') }).contains('REGRESSION')
        assertThat(finished.result).isEqualTo('FAILURE')
    }

    @Test
    void shouldStopWhenTheEngineCannotCloseOut() {
        kit.engine.on('gate compare') { EngineFake.Call call ->
            EngineFake.gate(call, [pass: true, decision: 'ACCEPT', failure_class: null, detail: 'ok'])
        }
        kit.engine.on('report') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR', detail: 'day0/ptq/gate.json: no such file']]
        }

        FakeJenkins.Run run = jenkins.run(COMPARE)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('could not close out the chain', 'day0/ptq/gate.json: no such file')
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldDecideFromTriageWhenTheCompareGateCannotRunAndCloseOutNothing() {
        kit.engine.on('gate compare') { EngineFake.Call call ->
            [status: 2, stdout: [pass: false, failure_class: 'USER_CONFIG_ERROR',
                                 detail: 'scores/cand.json: no such file']]
        }

        FakeJenkins.Run run = jenkins.run(COMPARE)

        assertThat(run.failure).isNull()
        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.value.decision).isEqualTo('NEEDS_HUMAN')
        assertThat(run.value.decisionFile).isNull()
        assertThat(kit.engine.calls('report')).isEmpty()
        assertThat(jenkins.currentBuild.description.toString())
                .startsWith('day0 NEEDS_HUMAN at compare [USER_CONFIG_ERROR]: scores/cand.json: no such file')
        assertThat(kit.results.caught[0]).contains('day0 compare could not run')
        assertThat(kit.echo.lines).contains('closeout runs after: NEEDS_HUMAN')
    }

    @Test
    void shouldNeverEmptyTheWorkspaceAsItsCloseoutDirectory() {
        FakeJenkins.Run run = jenkins.run("node { day0Compare(baseline: 'b', candidate: 'c', closeoutDir: '.') }")

        assertThat(run.message()).contains('closeoutDir: a relative directory inside the workspace')
        assertThat(kit.files.deleted).isEmpty()
    }

    @Test
    void shouldRejectAChainWithKeysItDoesNotKnow() {
        FakeJenkins.Run run = jenkins.run("node { day0Compare(baseline: 'b', candidate: 'c', chain: [ptq: 'p', eval: 'e']) }")

        assertThat(run.message()).contains("chain: unknown key 'eval'")
        assertThat(kit.sh.calls).isEmpty()
    }

    @Test
    void shouldRunUnderCpsAsJenkinsDoes() {
        Kit cpsKit = new Kit()
        FakeJenkins cps = cpsKit.cps(tmp.newFolder('cps'))
        engineDecides(cpsKit, [pass: false, decision: 'REGRESSION', failure_class: null, detail: 'dropped'],
                'REGRESSION', 'compare: dropped')

        FakeJenkins.Run run = cps.run(COMPARE)

        assertThat(run.failure).isNull()
        assertThat(run.value.decision).isEqualTo('REGRESSION')
        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(cpsKit.badges.badges*.kind).containsExactly('addWarningBadge')
    }
}
