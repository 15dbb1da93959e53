package dev.day0.jenkins

import dev.day0.evidence.checkpoint.SyntheticCheckpoint
import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.InputFake
import dev.day0.jenkins.fakes.StageFake
import dev.day0.jenkins.fakes.StashFake
import dev.day0.jenkins.fakes.TimeoutFake
import dev.day0.rockie.RockieTestServer
import groovy.json.JsonSlurper
import java.util.function.Function
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * The custom chain (docs/jenkins/custom_chain.Jenkinsfile, docs/jenkins.md "A custom chain") end to end: `sh`
 * really runs the built engine (bin/day0) on real files (a synthetic
 * safetensors checkpoint pair, the reference lm-evaluation-harness results), withCredentials injects a test token,
 * the test answers every approval, and GPU jobs go to the loopback Rockie test server.
 */
class JenkinsfileExampleIT {
    static final String TOKEN = 'rkt_live_Ex4mpleT0kenNeverLogged9'
    static final String APPROVAL_KEY = 'dak_JenkinsfileExampleIT_S1gn1ngK3yNeverLogged'
    static final File EXAMPLE = new File(FakeJenkins.PROJECT, 'docs/jenkins/custom_chain.Jenkinsfile')
    static final File LM_EVAL = new File(FakeJenkins.PROJECT, 'src/test/resources/reference/lm_eval')
    /** gsm8k exact_match 76.42 (baseline) and 75.21 (candidate): a drop of 0.0121 of the 0-100 scale. */
    static final String BASELINE_RESULTS = 'llm-compressor__awq-asym-fp8-dynamic__gsm8k__results_2026-02-10T15-33-52.json'
    static final String CANDIDATE_RESULTS = 'llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json'
    static final List<String> STAGES = ['Setup', 'PTQ', 'PTQ gate', 'Baseline eval', 'Baseline gate', 'Quantized eval',
                                        'Quantized gate', 'Compare', 'Closeout']

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    RockieTestServer rockie
    Kit kit
    FakeJenkins jenkins
    InputFake input
    StageFake stages
    File quantized

    @Before
    void setUp() {
        rockie = RockieTestServer.start()
        compose(false, false)
    }

    /**
     * The run, its fakes and the model repository in its workspace; cps: Jenkins' CPS mode; realEngine: every engine
     * call through the runner script and bin/day0, a JVM each, as on an agent (one test does that; the others run
     * the same engine in a resident JVM, see ResidentEngine).
     */
    private void compose(boolean cps, boolean realEngine) {
        kit?.close()
        kit = realEngine ? new Kit().withRealShell() : new Kit().withResidentEngine()
        File root = tmp.newFolder((cps ? 'cps' : 'jenkins') + (realEngine ? '-real-engine' : ''))
        jenkins = cps ? kit.cps(root) : kit.plain(root)
        TimeoutFake timeout = new TimeoutFake()
        input = new InputFake(timeout)
        stages = new StageFake()
        jenkins.with(timeout, input, stages, new StashFake(), new CredentialsFake(['rockie-tenant-token': TOKEN, 'day0-approval-key': APPROVAL_KEY]))
        jenkins.step('parameters', [List]) { List definitions -> [parameters: definitions] }
        jenkins.step('choice', [Map]) { Map options -> [symbol: 'choice'] + options }
        jenkins.pipeline.binding.setVariable('scm', [$class: 'GitSCM'])
        RealEngine.install(jenkins)
        jenkins.env.ROCKIELAB_API_URL = rockie.url().toString()
        jenkins.env.ROCKIELAB_TENANT_ID = 'tenant-acme'
        jenkins.env.DAY0_APPROVERS = 'release-managers'
        quantized = modelRepository(jenkins.workspace)
    }

    @After
    void tearDown() {
        kit.close()
        rockie.close()
    }

    /**
     * The model repository as Jenkins checks it out: the source checkpoint, the job scripts, their fixtures; returns
     * the quantized checkpoint the PTQ stand-in copies.
     */
    static File modelRepository(File workspace) {
        SyntheticCheckpoint.Model model = SyntheticCheckpoint.Model.llama(2)
        String config = SyntheticCheckpoint.config('bfloat16', null)
        model.source().file('config.json', config).write(new File(workspace, 'models/source').toPath())
        File fixtures = new File(workspace, 'fixtures')
        File quantized = new File(fixtures, 'quantized')
        model.build({ String module -> module == 'lm_head' ? SyntheticCheckpoint.Format.BF16 :
                SyntheticCheckpoint.Format.NVFP4 } as Function)
                .file('config.json', config)
                .file('hf_quant_config.json', SyntheticCheckpoint.hfQuantConfig('NVFP4', 16, 'lm_head'))
                .write(quantized.toPath())
        [BASELINE_RESULTS, CANDIDATE_RESULTS].each { String name ->
            new File(fixtures, name).bytes = new File(LM_EVAL, name).bytes
        }
        // Stand-ins for the GPU tools, which cannot run here: they produce the files the real ones write.
        new File(workspace, 'jobs').mkdirs()
        new File(workspace, 'jobs/ptq.sh').text = '''#!/usr/bin/env bash
set -euo pipefail
mkdir -p "$DAY0_OUTPUT_DIR"
cp -R fixtures/quantized/. "$DAY0_OUTPUT_DIR"/
echo JOB_DONE
'''
        new File(workspace, 'jobs/eval.sh').text = """#!/usr/bin/env bash
set -euo pipefail
mkdir -p "\$RESULTS_DIR"
case "\${MODEL_DIR:-}" in
  models/source) cp fixtures/${BASELINE_RESULTS} "\$RESULTS_DIR/results_2026-02-10T15-33-52.json" ;;
  *) cp fixtures/${CANDIDATE_RESULTS} "\$RESULTS_DIR/results_2026-02-10T17-13-14.json" ;;
esac
echo JOB_DONE
"""
        return quantized
    }

    /** The Rockie platform of the three GPU jobs: quotes, submissions in chain order, states, artifacts. */
    private void rockiePlatform() {
        rockie.on('GET', '/api/gpu/market', RockieTestServer.json(200, '{"rows": [{"gpu_type": "H100_SXM", ' +
                '"gpu_count": 1, "available": true, "marked_up_cost_cents": 24000, "marked_up_hourly_cents": 24000}]}'))
        rockie.on('POST', '/api/jobs/submit', ['rj_ptq', 'rj_base', 'rj_quant'].collect { String id ->
            RockieTestServer.json(200, "{\"job_id\": \"${id}\", \"estimated_cost_cents\": 24000}")
        } as RockieTestServer.Reply[])
        ['rj_ptq', 'rj_base', 'rj_quant'].each { String id ->
            rockie.jobStates(id, RockieTestServer.finished('DONE', 'JOB_DONE', 21000, null))
        }
        Map<String, byte[]> checkpoint = [:]
        quantized.eachFile { File file -> checkpoint[file.name] = file.bytes }
        rockie.artifacts('rj_ptq', checkpoint)
        rockie.artifacts('rj_base', ['results_2026-02-10T15-33-52.json': new File(LM_EVAL, BASELINE_RESULTS).bytes])
        rockie.artifacts('rj_quant', ['results_2026-02-10T17-13-14.json': new File(LM_EVAL, CANDIDATE_RESULTS).bytes])
    }

    private FakeJenkins.Run runExample(String backend, String threshold) {
        jenkins.params.putAll([MODEL: 'meta-llama/Llama-3.1-8B-Instruct', RECIPE: 'nvfp4', THRESHOLD: threshold,
                               GPU_BACKEND: backend])
        return jenkins.runFile(EXAMPLE)
    }

    private int submissions() {
        return rockie.count('POST', '/api/jobs/submit')
    }

    @Test
    void shouldAcceptOnAGpuAgentWithEveryStageJudgedByTheEngine() {
        compose(false, true)

        FakeJenkins.Run run = runExample('agent', '0.02')

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).isEqualTo(STAGES)
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(jenkins.currentBuild.description.toString()).startsWith('day0 ACCEPT: compare: ')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
        assertThat(kit.badges.badges*.kind).containsExactly('addBadge')
        assertThat(kit.junit.published*.file).containsExactly('day0/ptq/junit.xml', 'day0/baseline-eval/junit.xml',
                'day0/quantized-eval/junit.xml', 'day0/compare/junit.xml')
        assertThat(kit.junit.published.last().cases*.name).contains('gsm8k')
        Map decision = new JsonSlurper().parse(kit.archive.archived('day0/closeout/decision.json')) as Map
        assertThat(decision.decision).isEqualTo('ACCEPT')
        assertThat(decision.gates*.stage).containsExactly('ptq', 'baseline-eval', 'quantized-eval', 'compare')
        assertThat(kit.archive.archived()).contains('day0/setup/chain.json', 'day0/evidence/ptq/validation-summary.json',
                'day0/evidence/baseline-eval/scores.json', 'day0/closeout/report.md', 'day0/MANIFEST.sha256')
        assertThat(kit.archive.archived('day0/MANIFEST.sha256').text).contains('day0/closeout/decision.json')
        assertThat(jenkins.logText()).contains('day0: validation summary written', 'day0 decision: ACCEPT (publish)')
        assertThat(submissions()).isZero()
    }

    @Test
    void shouldRunTheWholeChainUnderCpsAsJenkinsDoes() {
        compose(true, false)

        FakeJenkins.Run run = runExample('agent', '0.02')

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).isEqualTo(STAGES)
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
    }

    @Test
    void shouldEndARegressionAsAFailedBuildAfterTheCloseout() {
        FakeJenkins.Run run = runExample('agent', '0.01')

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).isEqualTo(STAGES)
        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 REGRESSION')
        assertThat(jenkins.currentBuild.description.toString()).contains('gsm8k')
        assertThat(kit.badges.badges*.kind).containsExactly('addWarningBadge')
        assertThat(kit.junit.published.last().failures).isEqualTo(1)
        assertThat(kit.archive.archived()).contains('day0/MANIFEST.sha256')
        assertThat(jenkins.logText()).contains('day0 decision: REGRESSION (do-not-publish), build FAILURE')
    }

    @Test
    void shouldRunEveryGpuStageAsAnApprovedRockieJob() {
        rockiePlatform()
        input.approve('release-managers').approve('release-managers').approve('release-managers')

        FakeJenkins.Run run = runExample('rockie', '0.02')

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(stages.names).isEqualTo(STAGES)
        assertThat(run.result).isEqualTo('SUCCESS')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 ACCEPT')
        assertThat(input.requests*.id).containsExactly('Day0Gpu-ptq', 'Day0Gpu-baseline-eval', 'Day0Gpu-quantized-eval')
        assertThat(input.requests*.insideNode).containsOnly(false)
        assertThat(input.requests*.insideTimeout).containsOnly(true)
        assertThat(submissions()).isEqualTo(3)
        assertThat(rockie.requests('POST', '/api/jobs/submit')*.header('X-Tenant-Token')).containsOnly(TOKEN)
        assertThat(rockie.requests('POST', '/api/jobs/submit')[2].json().path('env').path('PTQ_JOB_ID').asText())
                .isEqualTo('rj_ptq')
        assertThat(kit.archive.archived()).contains('day0/rockie/ptq/approval.json',
                'day0/rockie/baseline-eval/approval.json', 'day0/rockie/quantized-eval/approval.json',
                'day0/closeout/decision.json')
        // The checkpoint the PTQ job wrote stays where it was downloaded: it is never archived or stashed.
        assertThat(kit.archive.archived().findAll { it.contains('/artifacts/') }).isEmpty()
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/ptq/approval.json')) as Map
        assertThat(approval.approver).isEqualTo('release-managers')
        assertThat(approval.quote_sha256).matches('[0-9a-f]{64}')
        assertTokenNowhere()
    }

    @Test
    void shouldSubmitNothingWhenTheFirstGpuSpendIsRejected() {
        rockiePlatform()
        input.rejectInForm('release-managers')

        FakeJenkins.Run run = runExample('rockie', '0.02')

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submissions()).isZero()
        assertThat(stages.names).containsExactly('Setup', 'PTQ')
        assertThat(jenkins.currentBuild.description.toString())
                .startsWith('day0 NEEDS_HUMAN at ptq: GPU spend for ptq not approved: rejected by release-managers')
        assertThat(jenkins.currentBuild.displayName.toString()).isEqualTo('#7 NEEDS_HUMAN')
        assertThat(kit.badges.badges*.kind).containsExactly('addInfoBadge')
        assertThat(kit.archive.archived()).contains('day0/rockie/ptq/approval.json', 'day0/rockie/ptq/term-sheet.txt')
        assertTokenNowhere()
    }

    @Test
    void shouldSubmitNothingMoreWhenALaterApprovalTimesOut() {
        rockiePlatform()
        input.approve('release-managers').noAnswer()

        FakeJenkins.Run run = runExample('rockie', '0.02')

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(submissions()).isEqualTo(1)
        assertThat(stages.names).containsExactly('Setup', 'PTQ', 'PTQ gate', 'Baseline eval')
        assertThat(run.message()).contains('timed out after 60 min: nobody approved', 'nothing was submitted')
        Map approval = new JsonSlurper().parse(kit.archive.archived('day0/rockie/baseline-eval/approval.json')) as Map
        assertThat(approval.outcome).isEqualTo('timed_out')
        assertThat(approval.decision).isEqualTo('NEEDS_HUMAN')
        assertTokenNowhere()
    }

    private void assertTokenNowhere() {
        assertThat(jenkins.logText()).doesNotContain(TOKEN)
        assertThat(jenkins.callStackText()).doesNotContain(TOKEN)
        kit.archive.archived().each { String path ->
            assertThat(kit.archive.archived(path).getText('ISO-8859-1')).as(path).doesNotContain(TOKEN)
        }
        jenkins.scratch.eachFileRecurse { File file ->
            if (file.isFile()) {
                assertThat(file.getText('ISO-8859-1')).as(file.path).doesNotContain(TOKEN)
            }
        }
        jenkins.workspace.eachFileRecurse { File file ->
            if (file.isFile()) {
                assertThat(file.getText('ISO-8859-1')).as(file.path).doesNotContain(TOKEN)
            }
        }
    }
}
