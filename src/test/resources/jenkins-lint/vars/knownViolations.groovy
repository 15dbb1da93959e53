/*
 * A step with three violations the Jenkins library lint must reject (tools/jenkins-lint/lint.xml checks that it
 * does, before it lints vars/): an unused variable, an empty if and code after a return.
 */
Map call(Map args = [:]) {
    String neverRead = 'lint self-check'
    if (args.verbose) {
    }
    return args
    echo('unreachable')
}
