package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import java.nio.file.Files
import java.nio.file.StandardCopyOption

/** stash(name:, includes:) and unstash(name): files carried from one node block to another. */
class StashFake implements StepFake {
    final Map<String, List<String>> stashes = [:]
    final List<String> unstashed = []

    @Override
    void install(FakeJenkins jenkins) {
        File store = new File(jenkins.scratch, 'stashes')
        jenkins.step('stash', [Map]) { Map options ->
            List<String> files = Glob.match(jenkins.cwd(), (options.includes ?: '**') as String)
            if (files.isEmpty() && !options.allowEmpty) {
                throw new AbortException("No files included in stash ‘${options.name}’")
            }
            File target = new File(store, options.name as String)
            target.deleteDir()
            files.each { String relative ->
                File copy = new File(target, relative)
                copy.parentFile.mkdirs()
                Files.copy(new File(jenkins.cwd(), relative).toPath(), copy.toPath())
            }
            stashes[options.name as String] = files
        }
        jenkins.step('unstash', [String]) { String name ->
            if (!stashes.containsKey(name)) {
                throw new AbortException("No such saved stash ‘${name}’")
            }
            stashes[name].each { String relative ->
                File copy = new File(jenkins.cwd(), relative)
                copy.parentFile.mkdirs()
                Files.copy(new File(new File(store, name), relative).toPath(), copy.toPath(),
                        StandardCopyOption.REPLACE_EXISTING)
            }
            unstashed.add(name)
        }
    }
}
