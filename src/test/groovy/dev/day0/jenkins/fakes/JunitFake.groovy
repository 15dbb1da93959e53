package dev.day0.jenkins.fakes

import dev.day0.jenkins.FakeJenkins

/** junit(testResults:, ...): reads the JUnit XML it publishes, and marks the build unstable on failures unless told not to. */
class JunitFake implements StepFake {
    final List<Map> published = []

    @Override
    void install(FakeJenkins jenkins) {
        Closure publish = { Map options ->
            List<String> files = Glob.match(jenkins.cwd(), options.testResults as String)
            if (files.isEmpty() && !options.allowEmptyResults) {
                throw new AbortException("No test report files were found. Configuration error?")
            }
            files.each { String relative ->
                def xml = new XmlSlurper().parse(new File(jenkins.cwd(), relative))
                List cases = xml.depthFirst().findAll { it.name() == 'testcase' }.collect { testcase ->
                    [className: testcase.@classname.toString(), name: testcase.@name.toString(),
                     failure: testcase.failure.size() > 0 ? testcase.failure.@message.toString() : null]
                }
                int failures = cases.count { it.failure != null } as int
                published.add([file: relative, cases: cases, failures: failures, options: options])
                jenkins.log("Recording test results: ${cases.size()} tests, ${failures} failures (${relative})")
                if (failures > 0 && !options.skipMarkingBuildUnstable) {
                    jenkins.result('UNSTABLE')
                }
            }
        }
        jenkins.step('junit', [Map]) { Map options -> publish(options) }
        jenkins.step('junit', [String]) { String pattern -> publish([testResults: pattern]) }
    }

    List<Map> cases() {
        return published.collectMany { it.cases }
    }
}
