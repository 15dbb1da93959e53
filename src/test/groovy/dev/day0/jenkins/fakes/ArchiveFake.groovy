package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/** archiveArtifacts(artifacts:, ...): copies the matching files into the build's archive, as Jenkins does. */
class ArchiveFake implements StepFake {
    final List<Map> calls = []
    File archive

    @Override
    void install(FakeJenkins jenkins) {
        archive = new File(jenkins.scratch, 'archive')
        jenkins.step('archiveArtifacts', [Map]) { Map options ->
            List<String> files = Glob.match(jenkins.cwd(), options.artifacts as String)
            calls.add(options + [matched: files])
            if (files.isEmpty() && !options.allowEmptyArchive) {
                throw new AbortException("No artifacts found that match the file pattern \"${options.artifacts}\"")
            }
            files.each { String relative ->
                File target = new File(archive, relative)
                target.parentFile.mkdirs()
                Files.copy(new File(jenkins.cwd(), relative).toPath(), target.toPath(),
                        StandardCopyOption.REPLACE_EXISTING)
            }
            jenkins.log("Archiving artifacts: ${files.size()} file(s) for ${options.artifacts}")
        }
    }

    /** Archived paths, relative to the archive root. */
    List<String> archived() {
        return Glob.match(archive, '**')
    }

    File archived(String relative) {
        return new File(archive, relative)
    }
}
