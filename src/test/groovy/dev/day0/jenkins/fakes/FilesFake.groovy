package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import java.nio.file.NoSuchFileException

/** readFile, writeFile, fileExists, dir, deleteDir and pwd on the run's real workspace directory. */
class FilesFake implements StepFake {
    final List<String> written = []
    final List<String> deleted = []

    @Override
    void install(FakeJenkins jenkins) {
        Closure read = { String path ->
            File file = jenkins.file(path)
            if (!file.isFile()) {
                throw new NoSuchFileException(file.path)
            }
            return file.getText('UTF-8')
        }
        jenkins.step('readFile', [String]) { String path -> read(path) }
        jenkins.step('readFile', [Map]) { Map options -> read(options.file as String) }
        jenkins.step('writeFile', [Map]) { Map options ->
            File file = jenkins.file(options.file as String)
            file.parentFile.mkdirs()
            file.setText(options.text as String, 'UTF-8')
            written.add(options.file as String)
        }
        jenkins.step('fileExists', [String]) { String path -> jenkins.file(path).exists() }
        jenkins.step('fileExists', [Map]) { Map options -> jenkins.file(options.file as String).exists() }
        jenkins.step('dir', [String, Closure]) { String path, Closure body ->
            jenkins.dirs.add(path)
            try {
                return jenkins.callClosure(body)
            } finally {
                jenkins.dirs.remove(jenkins.dirs.size() - 1)
            }
        }
        jenkins.step('deleteDir', []) { ->
            File current = jenkins.cwd()
            deleted.add(jenkins.workspace.toPath().relativize(current.toPath()).toString())
            current.deleteDir()
        }
        jenkins.step('pwd', []) { -> jenkins.cwd().path }
    }
}
