package dev.day0.jenkins

import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

class Day0DecisionTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    @Test
    void shouldMapEveryDecisionToItsBadgeAndBuildResult() {
        Map expected = [ACCEPT     : ['addBadge', 'SUCCESS'], REGRESSION: ['addWarningBadge', 'FAILURE'],
                        ANOMALOUS  : ['addWarningBadge', 'FAILURE'], INFEASIBLE: ['addErrorBadge', 'FAILURE'],
                        NEEDS_HUMAN: ['addInfoBadge', 'FAILURE'], SYSTEMIC: ['addErrorBadge', 'FAILURE']]
        expected.each { String decision, List outcome ->
            Kit kit = new Kit()
            FakeJenkins jenkins = kit.plain(tmp.newFolder(decision))

            FakeJenkins.Run run = jenkins.run("return day0Decision(decision: '${decision}', stage: 'compare', detail: 'why')")

            assertThat(kit.badges.badges*.kind).as(decision).containsExactly(outcome[0])
            assertThat(kit.badges.badges[0].id).isEqualTo('day0-decision')
            assertThat(run.value).as(decision).isEqualTo(outcome[1])
        }
    }

    @Test
    void shouldReplaceAnEarlierDecisionBadgeInsteadOfAddingASecond() {
        Kit kit = new Kit()
        FakeJenkins jenkins = kit.plain(tmp.root)

        jenkins.run("""
            day0Decision(decision: 'NEEDS_HUMAN', stage: 'ptq')
            day0Decision(decision: 'ACCEPT', stage: 'compare')
        """)

        assertThat(kit.badges.badges*.text).containsExactly('day0 ACCEPT (compare)')
    }

    @Test
    void shouldMarkOnlyWhatFailOnLeavesOutAsUnstable() {
        Kit kit = new Kit()
        FakeJenkins jenkins = kit.plain(tmp.root)

        FakeJenkins.Run run = jenkins.run(
                "return day0Decision(decision: 'REGRESSION', failOn: ['ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC'])")

        assertThat(run.value).isEqualTo('UNSTABLE')
    }

    @Test
    void shouldFallBackToDescriptionAndDisplayNameWithoutTheBadgePlugin() {
        Kit kit = new Kit().withoutBadgePlugin()
        FakeJenkins jenkins = kit.plain(tmp.root)

        FakeJenkins.Run run = jenkins.run("""return day0Decision(decision: 'SYSTEMIC', stage: 'quantized-eval',
                failureClass: 'INFRA_TRANSIENT', detail: 'timed out twice', nextAction: 'stop: the infrastructure failed')""")

        assertThat(run.failure).isNull()
        assertThat(run.value).isEqualTo('FAILURE')
        assertThat(kit.badges.attempted).containsExactly('removeBadges')
        assertThat(jenkins.currentBuild.description.toString()).isEqualTo('day0 SYSTEMIC at quantized-eval ' +
                '[INFRA_TRANSIENT]: timed out twice | next: stop: the infrastructure failed')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 SYSTEMIC')
        assertThat(kit.echo.lines).contains('day0: the Badge plugin is not installed, so the decision SYSTEMIC is ' +
                'shown in the build description and display name only')
    }

    @Test
    void shouldNotSwallowAMissingMethodThatIsNotAMissingPlugin() {
        Kit kit = new Kit()
        FakeJenkins jenkins = kit.plain(tmp.root)
        jenkins.step('addBadge', [Map]) { Map options -> throw new NoSuchMethodError('java.lang.String.foo()') }

        FakeJenkins.Run run = jenkins.run("day0Decision(decision: 'ACCEPT')")

        assertThat(run.failure).isInstanceOf(NoSuchMethodError)
        assertThat(run.result).isEqualTo('FAILURE')
    }

    @Test
    void shouldKeepTheDescriptionShort() {
        Kit kit = new Kit()
        FakeJenkins jenkins = kit.plain(tmp.root)

        jenkins.run("day0Decision(decision: 'ANOMALOUS', detail: 'x' * 1000)")

        assertThat(jenkins.currentBuild.description.toString()).hasSize(400).endsWith('...')
    }

    @Test
    void shouldRefuseADecisionItDoesNotKnow() {
        Kit kit = new Kit()
        FakeJenkins jenkins = kit.plain(tmp.root)

        FakeJenkins.Run run = jenkins.run("day0Decision(decision: 'PASS')")

        assertThat(run.message()).contains("expected one of ACCEPT, REGRESSION, ANOMALOUS, INFEASIBLE, NEEDS_HUMAN, SYSTEMIC, got 'PASS'")
        assertThat(kit.badges.badges).isEmpty()
    }

    @Test
    void shouldFallBackUnderCpsAsJenkinsDoes() {
        Kit kit = new Kit().withoutBadgePlugin()
        FakeJenkins jenkins = kit.cps(tmp.root)

        FakeJenkins.Run run = jenkins.run("return day0Decision(decision: 'ACCEPT', stage: 'compare')")

        assertThat(run.failure).isNull()
        assertThat(run.value).isEqualTo('SUCCESS')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
    }
}
