package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.jenkins.fakes.EngineFake
import groovy.json.JsonSlurper
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/** day0Publish against a scripted `day0 publish`: it relays the engine's answer and runs nothing of its own. */
class Day0PublishTest {
    static final String HF_TOKEN = 'hf_PublishStepTokenNeverLogged0123456'
    static final String REPO_PASSWORD = 'pw-Upload-Password-987'

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins
    CredentialsFake credentials

    @Before
    void setUp() {
        kit = new Kit()
        jenkins = compose(kit, tmp.newFolder('plain'), false)
    }

    private FakeJenkins compose(Kit on, File root, boolean cps) {
        FakeJenkins run = cps ? on.cps(root) : on.plain(root)
        credentials = new CredentialsFake(['hf-token': HF_TOKEN, 'upload-login': "uploader:${REPO_PASSWORD}"])
        return run.with(credentials)
    }

    private void engineSays(int status, Map answer) {
        kit.engine.on('publish') { EngineFake.Call call -> [status: status, stdout: answer] }
    }

    private static Map exit(int code, String name, String meaning) {
        return [code: code, name: name, meaning: meaning]
    }

    private static final String PUBLISH = "return node { day0Publish(decision: 'day0/release/report/decision.json', " +
            "checkpoint: 'exports/model-fp8', command: ['huggingface-cli', 'upload', 'org/model-fp8', " +
            "'exports/model-fp8'], credentials: [[id: 'hf-token', variable: 'HF_TOKEN']]) }"

    @Test
    void shouldRelayTheUploadCommandAfterTheSeparatorAndReturnTheEnginesAnswer() {
        engineSays(0, [decision: 'ACCEPT', published: true, detail: 'uploaded the evaluated checkpoint',
                       refused_because: [], upload_exit_code: 0, exit: exit(0, 'PUBLISHED', 'uploaded')])

        FakeJenkins.Run run = jenkins.run(PUBLISH)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(kit.engine.calls('publish')*.args).containsExactly(['publish',
                '--decision=day0/release/report/decision.json', '--checkpoint=exports/model-fp8', '--',
                'huggingface-cli', 'upload', 'org/model-fp8', 'exports/model-fp8'])
        assertThat(run.value.published).isTrue()
        assertThat(run.value.uploadExitCode).isEqualTo(0)
        assertThat(run.value.resultFile).isEqualTo('day0/publish/publish.json')
        Map archived = new JsonSlurper().parse(kit.archive.archived('day0/publish/publish.json')) as Map
        assertThat(archived.published).isTrue()
        assertThat(jenkins.logText()).contains('day0Publish publish: uploaded the evaluated checkpoint')
        assertThat(run.result).isEqualTo('SUCCESS')
    }

    @Test
    void shouldGiveTheUploadItsCredentialsOnlyThroughTheEnvironmentOfTheOneEngineCall() {
        engineSays(0, [published: true, detail: 'uploaded the evaluated checkpoint', exit: exit(0, 'PUBLISHED', 'ok')])

        jenkins.run("node { day0Publish(decision: 'd.json', checkpoint: 'ckpt', command: ['upload.sh', 'ckpt'], " +
                "credentials: [[id: 'hf-token', variable: 'HF_TOKEN'], [id: 'upload-login', " +
                "usernameVariable: 'UPLOAD_USER', passwordVariable: 'UPLOAD_PASSWORD']]); " +
                "day0Engine(command: ['triage', '--failure-class=INFRA_TRANSIENT', '--attempt=1']) }")

        EngineFake.Call publish = kit.engine.calls('publish')[0]
        assertThat(publish.env.HF_TOKEN).isEqualTo(HF_TOKEN)
        assertThat(publish.env.UPLOAD_PASSWORD).isEqualTo(REPO_PASSWORD)
        assertThat(publish.env.UPLOAD_USER).isEqualTo('uploader')
        assertThat(kit.engine.calls('triage')[0].env).doesNotContainKeys('HF_TOKEN', 'UPLOAD_PASSWORD')
        assertThat(publish.args.join('\n')).doesNotContain(HF_TOKEN).doesNotContain(REPO_PASSWORD)
        assertThat(jenkins.logText()).doesNotContain(HF_TOKEN).doesNotContain(REPO_PASSWORD)
        assertThat(jenkins.callStackText()).doesNotContain(HF_TOKEN).doesNotContain(REPO_PASSWORD)
    }

    @Test
    void shouldLeaveTheUploadCommandOutOfItsOwnLogLineForTheEngineToPrintOnceChecked() {
        engineSays(2, [pass: false, failure_class: 'USER_CONFIG_ERROR',
                       detail: 'COMMAND: argument 3: carries a credential; pass it to the upload command in the ' +
                               'environment instead', exit: exit(2, 'INPUT', 'the input could not be used')])

        FakeJenkins.Run run = jenkins.run("node { day0Publish(decision: 'd.json', checkpoint: 'ckpt', command: " +
                "['huggingface-cli', 'upload', '--token=hf_TypedIntoTheJenkinsfile0123456789', 'org/m']) }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).isEqualTo('day0Publish publish: day0 publish the input could not be used (exit 2): ' +
                'COMMAND: argument 3: carries a credential; pass it to the upload command in the environment ' +
                'instead. Nothing was uploaded by this publish unless the engine says so above.')
        assertThat(jenkins.logText()).contains('day0 publish --decision=d.json --checkpoint=ckpt -- ' +
                "'<upload command, 4 argument(s), printed by the engine once checked>'")
                .doesNotContain('hf_TypedIntoTheJenkinsfile0123456789')
    }

    @Test
    void shouldStopTheBuildWithTheEnginesReasonsWhenItRefusesTheCheckpoint() {
        engineSays(1, [decision: 'ACCEPT', published: false, refused_because: ['not the evaluated checkpoint: ' +
                'generation_config.json: content differs (sha256 1a2b..., evaluated 9f8e...)'],
                       detail: 'refused: not the evaluated checkpoint: generation_config.json: content differs ' +
                               '(sha256 1a2b..., evaluated 9f8e...)',
                       exit: exit(1, 'REFUSED', 'publishing was refused; nothing was uploaded or renamed')])

        FakeJenkins.Run run = jenkins.run(PUBLISH)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).startsWith('day0Publish publish: day0 publish publishing was refused; nothing was ' +
                'uploaded or renamed (exit 1): refused: not the evaluated checkpoint: generation_config.json: ' +
                'content differs')
        Map archived = new JsonSlurper().parse(kit.archive.archived('day0/publish/publish.json')) as Map
        assertThat(archived.refused_because as List).hasSize(1)
    }

    @Test
    void shouldStopWithTheEnginesMeaningWhenTheUploadCommandFails() {
        engineSays(3, [published: false, upload_exit_code: 4, detail: 'the upload command exited 4',
                       exit: exit(3, 'UPLOAD_FAILED', 'the checkpoint was cleared for upload but the upload ' +
                               'command failed')])

        FakeJenkins.Run run = jenkins.run(PUBLISH)

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('the checkpoint was cleared for upload but the upload command failed ' +
                '(exit 3): the upload command exited 4')
    }

    @Test
    void shouldNotTakeAnExitZeroThatSaysNothingWasPublished() {
        engineSays(0, [published: false, detail: 'odd', exit: exit(0, 'PUBLISHED', 'uploaded')])

        FakeJenkins.Run run = jenkins.run(PUBLISH)

        assertThat(run.result).isEqualTo('FAILURE')
    }

    @Test
    void shouldMarkAnExportRejectedThroughTheEngine() {
        engineSays(0, [rejected: true, checkpoint: '/ws/exports/REJECTED-model-nvfp4',
                       detail: 'renamed exports/model-nvfp4 to /ws/exports/REJECTED-model-nvfp4',
                       exit: exit(0, 'PUBLISHED', 'marked')])

        FakeJenkins.Run run = jenkins.run("return node { day0Publish(reject: true, checkpoint: 'exports/model-nvfp4', " +
                "workDir: 'exports', decision: 'day0/release/report/decision.json', name: 'reject-nvfp4') }")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(kit.engine.calls('publish')*.args).containsExactly(['publish', '--reject',
                '--checkpoint=exports/model-nvfp4', '--work-dir=exports', '--decision=day0/release/report/decision.json'])
        assertThat(run.value.rejected).isTrue()
        assertThat(run.value.checkpoint).isEqualTo('/ws/exports/REJECTED-model-nvfp4')
        assertThat(kit.archive.archived()).contains('day0/publish/reject-nvfp4.json')
    }

    @Test
    void shouldRefuseToRejectTheAcceptedExport() {
        engineSays(1, [rejected: false, detail: 'd.json says ACCEPT: refusing to mark the accepted export rejected',
                       exit: exit(1, 'REFUSED', 'publishing was refused; nothing was uploaded or renamed')])

        FakeJenkins.Run run = jenkins.run("node { day0Publish(reject: true, checkpoint: 'ckpt', decision: 'd.json') }")

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).contains('day0 publish --reject publishing was refused',
                'refusing to mark the accepted export rejected', 'Nothing was renamed')
    }

    @Test
    void shouldCheckItsArgumentsBeforeCallingTheEngine() {
        List<List<String>> cases = [
            ["day0Publish(checkpoint: 'c', command: ['u'])", 'day0Publish: decision: required to publish'],
            ["day0Publish(decision: 'd', checkpoint: 'c', command: 'huggingface-cli upload org/m c')",
             'day0Publish: command: give the upload command as a non-empty List'],
            ["day0Publish(reject: true, checkpoint: 'c', command: ['u'])", 'day0Publish: command: not with reject'],
            ["day0Publish(decision: 'd', checkpoint: 'c', command: ['u'], credentials: [[id: 'hf-token', " +
                     "variable: 'HF TOKEN']])", 'day0Publish: credentials[0]: environment variable names'],
            ["day0Publish(decision: 'd', checkpoint: 'c', command: ['u'], credentials: [[credentialsId: 'x', " +
                     "variable: 'HF_TOKEN']])", 'day0Publish: credentials[0]: unknown key(s) credentialsId'],
            ["day0Publish(decision: 'd', checkpoint: 'c', command: ['u'], credentials: [[id: 'x', " +
                     "variable: 'DAY0_APPROVAL_KEY']])", "day0Publish: credentials[0]: DAY0_ variables are the engine's own"],
            ["day0Publish(decision: 'd', chekpoint: 'c', command: ['u'])", 'day0Publish: unknown argument(s) chekpoint'],
        ]
        cases.each { List<String> pair ->
            FakeJenkins.Run run = jenkins.run("node { ${pair[0]} }")
            assertThat(run.message()).as(pair[0]).startsWith(pair[1])
        }
        assertThat(kit.engine.calls('publish')).isEmpty()
        assertThat(credentials.used).isEmpty()
    }

    @Test
    void shouldRunTheEngineOnAnAgentOnly() {
        FakeJenkins.Run run = jenkins.run("day0Publish(decision: 'd', checkpoint: 'c', command: ['u'])")

        assertThat(run.message()).isEqualTo('day0Publish runs the day0 engine on an agent: call it inside node { ... }')
    }

    @Test
    void shouldPublishUnderCpsAsJenkinsRunsIt() {
        Kit cpsKit = new Kit()
        kit = cpsKit
        jenkins = compose(cpsKit, tmp.newFolder('cps'), true)
        engineSays(0, [published: true, detail: 'uploaded the evaluated checkpoint', exit: exit(0, 'PUBLISHED', 'ok')])

        FakeJenkins.Run run = jenkins.run(PUBLISH)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.published).isTrue()
        assertThat(kit.engine.calls('publish')[0].env.HF_TOKEN).isEqualTo(HF_TOKEN)
    }
}
