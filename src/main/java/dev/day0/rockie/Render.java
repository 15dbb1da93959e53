package dev.day0.rockie;

import java.util.Locale;

/** A term sheet written out for the person who decides whether to approve it. */
public final class Render {
    private Render() {
    }

    public static String text(TermSheet sheet) {
        StringBuilder out = new StringBuilder();
        String nl = System.lineSeparator();
        Long estimate = sheet.estimateCents();
        out.append("Rockie GPU term sheet ").append(sheet.quoteId()).append(nl).append(nl);
        row(out, "Job shape", sheet.jobShape().isEmpty() ? "(not given)" : sheet.jobShape());
        row(out, "Compute", sheet.gpuCount() + " x " + sheet.gpuType() + ", region " + sheet.region() + ", tier "
                + sheet.tier());
        row(out, "Availability", sheet.availability() + " (" + sheet.json().path("status_code").asText("?") + ": "
                + sheet.json().path("status_reason").asText("") + ")");
        long quoted = sheet.wallclockMinutes() * 60;
        row(out, "Wall-clock", sheet.wallclockMinutes() + " min; submit with --timeout between " + (quoted - 59)
                + " and " + quoted + " s");
        row(out, "Estimate", Money.format(estimate));
        row(out, "Recommended", Money.format(sheet.recommendedBudgetCents())
                + ("low".equals(sheet.json().path("confidence_bucket").asText())
                        ? " (low confidence: max(2 x estimate, estimate + $50))"
                        : " (max(1.5 x estimate, estimate + $50))"));
        row(out, "Budget", Money.format(sheet.userBudgetCents()) + " (the most this job may spend)");
        row(out, "Confidence", sheet.json().path("confidence_bucket").asText("?") + ": "
                + sheet.json().path("confidence_statement").asText(""));
        out.append(nl).append("Stages").append(nl);
        if (sheet.stages().isEmpty()) {
            out.append("  (none: there is no estimate)").append(nl);
        }
        for (TermSheet.Stage stage : sheet.stages()) {
            String share = estimate == null || estimate == 0 ? "" : String.format(Locale.ROOT, "%5.1f %%",
                    100.0 * stage.cents() / estimate);
            out.append(String.format(Locale.ROOT, "  %-18s %12s  %s", stage.name(), Money.format(stage.cents()),
                    share).stripTrailing()).append(nl);
        }
        out.append(String.format(Locale.ROOT, "  %-18s %12s", "total", Money.format(sheet.stagesTotal())))
                .append(nl).append(nl);
        row(out, "Decision", decision(sheet));
        out.append(nl).append("What approving means").append(nl);
        if (sheet.available() && sheet.approvable() && estimate != null && estimate > 0) {
            out.append("  Approving lets exactly one 'day0 rockie submit' run on ").append(sheet.gpuCount())
                    .append(" x ").append(sheet.gpuType()).append(" (region ").append(sheet.region())
                    .append(", tier ").append(sheet.tier()).append(") for at most ").append(sheet.wallclockMinutes())
                    .append(" min,").append(nl)
                    .append("  spending at most the approved budget (").append(Money.format(sheet.userBudgetCents()))
                    .append(" unless you approve another with --budget-cents, never below the estimate).").append(nl)
                    .append("  The approval records your id, the time and the SHA-256 of this quote: any change to "
                            + "the quote voids it,").append(nl)
                    .append("  and once used for a submission it cannot be used again. A new job needs a new quote.")
                    .append(nl);
        } else {
            out.append("  This quote cannot be approved: ").append(sheet.available() ? "it is not approvable"
                    : "capacity is " + sheet.availability()).append(". Quote again later or with another shape.")
                    .append(nl);
        }
        return out.toString();
    }

    private static String decision(TermSheet sheet) {
        if (sheet.approvedForSubmit()) {
            return sheet.decisionState() + " by " + sheet.approvedBy() + " at " + sheet.approvedAt()
                    + " (quote_sha256 " + sheet.recordedSha256() + ")";
        }
        return sheet.decisionState() + (sheet.approvable() ? " (approvable)" : " (not approvable)");
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "  %-13s %s", label + ":", value)).append(System.lineSeparator());
    }
}
