package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins
import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic
import org.jenkinsci.plugins.pipeline.utility.steps.fs.FileWrapper

/**
 * pipeline-utility-steps as the day0 steps use it: readJSON(text:, returnPojo: true) (plain maps and lists, an
 * error on text that is not JSON), readProperties(text:), and findFiles(glob:, excludes:) on the workspace.
 */
class UtilityStepsFake implements StepFake {
    final List<Map> findCalls = []

    @Override
    void install(FakeJenkins jenkins) {
        jenkins.step('readJSON', [Map]) { Map options ->
            if (options.returnPojo != true) {
                throw new AssertionError((Object) 'readJSON without returnPojo: true returns net.sf.json objects')
            }
            try {
                return new JsonSlurperClassic().parseText(options.text as String)
            } catch (Exception notJson) {
                throw new IllegalArgumentException("readJSON: ${notJson.message}")
            }
        }
        jenkins.step('writeJSON', [Map]) { Map options ->
            if (!(options.json instanceof Map) && !(options.json instanceof List)) {
                throw new AssertionError((Object) "writeJSON json: a Map or List, got ${options.json?.getClass()}")
            }
            File file = jenkins.file(options.file as String)
            file.parentFile.mkdirs()
            String text = JsonOutput.toJson(options.json)
            file.setText((options.pretty ? JsonOutput.prettyPrint(text) : text) + '\n', 'UTF-8')
        }
        jenkins.step('readProperties', [Map]) { Map options ->
            Properties properties = new Properties()
            properties.load(new StringReader(options.text as String))
            Map result = [:]
            properties.stringPropertyNames().each { result[it] = properties.getProperty(it) }
            return result
        }
        jenkins.step('findFiles', [Map]) { Map options ->
            findCalls.add(options)
            List<String> excluded = options.excludes ? Glob.match(jenkins.cwd(), options.excludes as String) : []
            return Glob.match(jenkins.cwd(), options.glob as String).findAll { !excluded.contains(it) }.collect {
                File file = new File(jenkins.cwd(), it)
                new FileWrapper(file.name, it, false, file.length())
            }
        }
    }
}
