import groovy.transform.Field

/*
 * day0Decision: shows a day0 decision on the build: a badge, the build description and the display name, and
 * tells the caller which build result the decision maps to. It decides nothing itself: the decision comes from
 * the engine (a gate, `day0 triage`, `day0 report`) or, for a GPU spend nobody approved, from rockieSubmit.
 *
 * Badges need the Badge plugin (2.x or 3.x: addBadge, addInfoBadge, addWarningBadge, addErrorBadge, removeBadges).
 * Without it the decision still shows in the description and the display name, and the log says why.
 */

@Field static final Map DEFAULTS = [
    // ACCEPT, REGRESSION, ANOMALOUS, INFEASIBLE, NEEDS_HUMAN or SYSTEMIC. Required.
    decision     : null,
    // Where the decision was reached, e.g. 'compare' or 'baseline-eval'; shown before the detail.
    stage        : null,
    // The engine's one-line explanation.
    detail       : null,
    // The failure class behind the decision, if any (e.g. SAMPLE_ACCOUNTING_FAILED).
    failureClass : null,
    // What to do next, from `day0 triage`.
    nextAction   : null,
    // Decisions that fail the build; the other non-ACCEPT decisions only mark it unstable (see resultFor).
    failOn       : null,
    // Link for the badge, e.g. the archived report.md.
    link         : null,
    // false: leave badges alone and only set description and display name.
    badge        : true,
]

@Field static final List DECISIONS = ['ACCEPT', 'REGRESSION', 'ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC']
@Field static final List DEFAULT_FAIL_ON = ['REGRESSION', 'ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC']
// Broken evidence, an impossible recipe, broken infrastructure or a person's call can never pass as "unstable".
@Field static final List ALWAYS_FAIL = ['ANOMALOUS', 'INFEASIBLE', 'NEEDS_HUMAN', 'SYSTEMIC']
@Field static final String BADGE_ID = 'day0-decision'
@Field static final int DESCRIPTION_LIMIT = 400

/** Publishes the decision on the build; returns the build result it maps to (SUCCESS, UNSTABLE or FAILURE). */
String call(Map args = [:]) {
    day0Engine.checkArgs('day0Decision', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    String decision = opts.decision as String
    if (!DECISIONS.contains(decision)) {
        error("day0Decision: decision: expected one of ${DECISIONS.join(', ')}, got '${decision}'")
    }
    List failOn = checkedFailOn('day0Decision', opts.failOn)
    String line = describe(decision, opts.stage as String, opts.detail as String, opts.failureClass as String,
            opts.nextAction as String)
    currentBuild.description = line
    currentBuild.displayName = "#${env.BUILD_NUMBER} ${decision}"
    if (opts.badge) {
        showBadge(decision, "day0 ${decision}${opts.stage ? ' (' + opts.stage + ')' : ''}", opts.link as String)
    }
    echo(line)
    return resultFor(decision, failOn)
}

/** The build result for a decision: ACCEPT succeeds, a decision in failOn fails, any other one is unstable. */
@NonCPS
static String resultFor(String decision, List failOn) {
    if (decision == 'ACCEPT') {
        return 'SUCCESS'
    }
    return failOn.contains(decision) ? 'FAILURE' : 'UNSTABLE'
}

/** Validates a failOn list (null means all non-ACCEPT decisions) and returns it. */
List checkedFailOn(String step, Object failOn) {
    if (failOn == null) {
        return DEFAULT_FAIL_ON
    }
    String problem = failOnProblem(failOn)
    if (problem != null) {
        error("${step}: failOn: ${problem}")
    }
    return failOn as List
}

@NonCPS
static String failOnProblem(Object failOn) {
    if (!(failOn instanceof List)) {
        return "expected a list of decisions such as ${DEFAULT_FAIL_ON}, got ${failOn}"
    }
    List unknown = failOn.findAll { !DECISIONS.contains(it as String) || it == 'ACCEPT' }
    if (!unknown.isEmpty()) {
        return "${unknown} cannot fail a build (choose from ${DEFAULT_FAIL_ON})"
    }
    List missing = ALWAYS_FAIL.findAll { !failOn.contains(it) }
    if (!missing.isEmpty()) {
        return "${missing} always fail the build (the evidence cannot be trusted or a person must act); only " +
                'REGRESSION may be left out, to mark a regression unstable instead'
    }
    return null
}

@NonCPS
static String describe(String decision, String stage, String detail, String failureClass, String nextAction) {
    StringBuilder text = new StringBuilder('day0 ').append(decision)
    if (stage) {
        text.append(' at ').append(stage)
    }
    if (failureClass) {
        text.append(' [').append(failureClass).append(']')
    }
    if (detail) {
        text.append(': ').append(detail)
    }
    if (nextAction) {
        text.append(' | next: ').append(nextAction)
    }
    String flat = text.toString().replaceAll(/\s+/, ' ').trim()
    return flat.length() <= DESCRIPTION_LIMIT ? flat : flat.substring(0, DESCRIPTION_LIMIT - 3) + '...'
}

/** Adds the decision badge, replacing an earlier day0 decision badge; falls back when the plugin is missing. */
void showBadge(String decision, String text, String link) {
    try {
        removeBadges(id: BADGE_ID)
        Map badge = [id: BADGE_ID, text: text]
        if (link) {
            badge.link = link
        }
        if (decision == 'ACCEPT') {
            addBadge(badge + [icon: 'symbol-checkmark-circle plugin-ionicons-api',
                              style: 'color: var(--success-color)'])
        } else if (decision == 'REGRESSION' || decision == 'ANOMALOUS') {
            addWarningBadge(badge)
        } else if (decision == 'NEEDS_HUMAN') {
            addInfoBadge(badge)
        } else {
            addErrorBadge(badge)
        }
    } catch (NoSuchMethodError missing) {
        if (!String.valueOf(missing.message).startsWith('No such DSL method')) {
            throw missing
        }
        echo("day0: the Badge plugin is not installed, so the decision ${decision} is shown in the build " +
                'description and display name only')
    }
}
