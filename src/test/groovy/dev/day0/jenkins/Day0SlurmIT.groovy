package dev.day0.jenkins

import dev.day0.slurm.JobInfo
import dev.day0.slurm.SlurmClient
import org.junit.Assume
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * day0Slurm with a real shell and the built engine against the local single-node cluster
 * (`tools/slurm/local-cluster.sh start`): the step's job runs as one Slurm job, and calling the step again in the
 * same build re-attaches to it. Without a cluster the test says so and is skipped, unless DAY0_REQUIRE_SLURM=1.
 */
class Day0SlurmIT {
    static String unavailable

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    @BeforeClass
    static void findTheCluster() {
        SlurmClient.Reachability reachability = SlurmClient.local().reachability('debug')
        if (!reachability.reachable()) {
            unavailable = "${reachability.detail()} (start it with: sudo tools/slurm/local-cluster.sh start)"
            if (System.getenv('DAY0_REQUIRE_SLURM') == '1') {
                throw new AssertionError((Object) "DAY0_REQUIRE_SLURM=1 but ${unavailable}")
            }
            System.err.println("Day0SlurmIT skipped: ${unavailable}")
        }
    }

    @Test
    void shouldRunTheStepsJobOnceOnTheClusterAndReattachOnARepeatedCall() {
        Assume.assumeTrue("no local Slurm: ${unavailable}".toString(), unavailable == null)
        Kit kit = new Kit().withRealShell()
        FakeJenkins jenkins = kit.plain(tmp.root)
        RealEngine.install(jenkins)
        jenkins.env.JOB_NAME = "slurm-it-${UUID.randomUUID()}".toString()

        FakeJenkins.Run run = jenkins.run("""return node {
            Map job = [name: 'eval', command: ['sh', '-c', 'echo "\$GREETING from \$DAY0_STAGE attempt \$DAY0_ATTEMPT"'],
                       env: [GREETING: 'hello'], slurm: [partition: 'debug', time: '5'], pollIntervalSeconds: 0.3]
            [day0Slurm(job), day0Slurm(job)]
        }""")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        Map first = run.value[0] as Map
        Map again = run.value[1] as Map
        assertThat(first.pass).isTrue()
        assertThat(first.state).isEqualTo('COMPLETED')
        assertThat(again.jobId).isEqualTo(first.jobId)
        assertThat(new File(tmp.root, first.outputFile as String).exists() || new File(first.outputFile as String)
                .exists()).isTrue()
        assertThat(jenkins.logText()).contains('hello from eval attempt 1')
        assertThat(SlurmClient.local().jobsNamed(first.jobName as String).collect { JobInfo job -> job.jobId() })
                .containsExactly(first.jobId)
    }
}
