package dev.day0.jenkins

import dev.day0.jenkins.fakes.CredentialsFake
import dev.day0.release.ReleaseFixture
import dev.day0.testing.CliRun
import groovy.json.JsonSlurper
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/**
 * day0Publish end to end: `sh` runs the built engine (bin/day0) on the checkpoint the quickstart's release evaluated
 * (its decision.json records the fingerprint where the canary served it). The upload is a script that records what
 * it was given; the upload token is a Jenkins credential.
 */
class Day0PublishIT {
    static final String TOKEN = 'hf_Day0PublishITTokenNeverLogged012345'
    static final String WORK = 'day0/release'
    static final String EVALUATED = "${WORK}/stages/ptq/output"
    static final String DECISION = "${WORK}/report/decision.json"

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    Kit kit
    FakeJenkins jenkins
    File uploaded

    @Before
    void setUp() {
        kit = new Kit().withRealShell()
        jenkins = kit.plain(tmp.newFolder('jenkins'))
        jenkins.with(new CredentialsFake(['hf-token': TOKEN]))
        RealEngine.install(jenkins)
        String plan = new File(FakeJenkins.PROJECT, 'examples/quickstart/release.yaml').path
        CliRun release = CliRun.run(ReleaseFixture.env(), 'release', 'run', '--plan', plan, '--workdir',
                new File(jenkins.workspace, WORK).path)
        assertThat(release.exitCode()).as(release.toString()).isEqualTo(0)
        uploaded = new File(jenkins.scratch, 'uploaded.txt')
        // The upload: says which directory it got and whether the token reached its environment, never the token.
        new File(jenkins.workspace, 'upload.sh').text = '#!/bin/sh\nset -eu\necho "uploading $1"\n' +
                '[ -n "${HF_TOKEN:-}" ] && echo "token in the environment" || echo "no token"\n' +
                "ls \"\$1\" > ${uploaded.path}\n"
    }

    private FakeJenkins.Run publish(String checkpoint) {
        return jenkins.run("return node { day0Publish(decision: '${DECISION}', checkpoint: args.c, " +
                "command: ['sh', 'upload.sh', args.c], credentials: [[id: 'hf-token', variable: 'HF_TOKEN']]) }",
                [c: checkpoint])
    }

    @Test
    void shouldUploadTheCheckpointThatWasEvaluatedAndAccepted() {
        FakeJenkins.Run run = publish(EVALUATED)

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.published).isTrue()
        assertThat(run.value.exitCode).isEqualTo(0)
        assertThat(uploaded).exists()
        assertThat(uploaded.text).contains('config.json')
        assertThat(jenkins.logText()).contains("upload: uploading ${EVALUATED}", 'upload: token in the environment',
                "day0: upload command: sh upload.sh ${EVALUATED}", 'day0Publish publish: uploaded the evaluated ' +
                'checkpoint')
        Map result = new JsonSlurper().parse(kit.archive.archived('day0/publish/publish.json')) as Map
        assertThat(result.decision).isEqualTo('ACCEPT')
        assertThat(result.checkpoint_fingerprint).isEqualTo(result.evaluated_fingerprint)
        assertThat(kit.archive.archived().findAll { it.contains('stages/') }).isEmpty()
        assertTokenNowhere()
    }

    @Test
    void shouldRefuseACheckpointThatDiffersByOneFileFromTheEvaluatedOne() {
        File sibling = new File(jenkins.workspace, 'exports/model-fp8-calib2')
        copyTree(new File(jenkins.workspace, EVALUATED), sibling)
        File generation = new File(sibling, 'generation_config.json')
        generation.text = generation.text.replace('}', ', "top_p": 0.9}')

        FakeJenkins.Run run = publish('exports/model-fp8-calib2')

        assertThat(run.result).isEqualTo('FAILURE')
        assertThat(run.message()).startsWith('day0Publish publish: day0 publish publishing was refused; nothing was ' +
                'uploaded or renamed (exit 1): refused: not the evaluated checkpoint: generation_config.json: ' +
                'content differs')
        assertThat(uploaded).doesNotExist()
        Map result = new JsonSlurper().parse(kit.archive.archived('day0/publish/publish.json')) as Map
        assertThat(result.published).isEqualTo(false)
        assertThat(result.refused_because as List).hasSize(1)
        assertTokenNowhere()
    }

    @Test
    void shouldMarkTheRefusedSiblingRejectedSoItCannotBePickedByMistake() {
        File sibling = new File(jenkins.workspace, 'exports/model-fp8-calib2')
        copyTree(new File(jenkins.workspace, EVALUATED), sibling)

        FakeJenkins.Run run = jenkins.run("return node { day0Publish(reject: true, checkpoint: " +
                "'exports/model-fp8-calib2', workDir: 'exports', name: 'reject-calib2') }")

        assertThat(run.failure).as(jenkins.logText()).isNull()
        assertThat(run.value.rejected).isTrue()
        assertThat(new File(jenkins.workspace, 'exports/REJECTED-model-fp8-calib2')).isDirectory()
        assertThat(sibling).doesNotExist()
        FakeJenkins.Run again = publish('exports/REJECTED-model-fp8-calib2')
        assertThat(again.result).isEqualTo('FAILURE')
        assertThat(again.message()).contains('is marked REJECTED-*: a rejected export is never published')
        assertThat(uploaded).doesNotExist()
    }

    /** A sibling export: the evaluated directory copied file by file. */
    private static void copyTree(File from, File to) {
        from.eachFileRecurse { File file ->
            File target = new File(to, from.toPath().relativize(file.toPath()).toString())
            if (file.isDirectory()) {
                target.mkdirs()
            } else {
                target.parentFile.mkdirs()
                java.nio.file.Files.copy(file.toPath(), target.toPath())
            }
        }
    }

    private void assertTokenNowhere() {
        assertThat(jenkins.logText()).doesNotContain(TOKEN)
        assertThat(jenkins.callStackText()).doesNotContain(TOKEN)
        kit.archive.archived().each { String path ->
            assertThat(kit.archive.archived(path).getText('ISO-8859-1')).as(path).doesNotContain(TOKEN)
        }
        jenkins.workspace.eachFileRecurse { File file ->
            if (file.isFile()) {
                assertThat(file.getText('ISO-8859-1')).as(file.path).doesNotContain(TOKEN)
            }
        }
    }
}
