package dev.day0.noise;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.io.Json;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The noise-aware judgement of one task: its verdict, the interval behind it and what evidence would settle it;
 * or a sample-accounting problem that stops the comparison.
 */
public final class TaskAssessment {
    private final Verdict verdict;
    private final String method;
    private final DropInterval interval;
    private final Long items;
    private final Flips flips;
    private final EvidenceNeeded evidenceNeeded;
    private final Double detectableDrop;
    private final String reason;
    private final String accountingProblem;
    private final ObjectNode samples;

    private TaskAssessment(Verdict verdict, String method, DropInterval interval, Long items, Flips flips,
                           EvidenceNeeded evidenceNeeded, Double detectableDrop, String reason,
                           String accountingProblem, ObjectNode samples) {
        this.verdict = verdict;
        this.method = method;
        this.interval = interval;
        this.items = items;
        this.flips = flips;
        this.evidenceNeeded = evidenceNeeded;
        this.detectableDrop = detectableDrop;
        this.reason = reason;
        this.accountingProblem = accountingProblem;
        this.samples = samples;
    }

    /** The runs' items do not match: the comparison cannot be made at all. */
    static TaskAssessment accounting(String problem) {
        return new TaskAssessment(null, null, null, null, null, null, null, null, problem, null);
    }

    /** No interval could be built: never a pass. */
    static TaskAssessment noInterval(String method, Long items, String reason, String howToFix) {
        return new TaskAssessment(Verdict.INSUFFICIENT_EVIDENCE, method, null, items, null,
                EvidenceNeeded.unknown(howToFix), null, reason, null, null);
    }

    static TaskAssessment judged(DropInterval interval, double limit, Long items, Flips flips,
                                 VarianceSplit variance, ObjectNode samples) {
        Verdict verdict = interval.verdict(limit);
        EvidenceNeeded needed = null;
        if (verdict == Verdict.INSUFFICIENT_EVIDENCE) {
            needed = interval.standardError() == null && items != null
                    ? EvidenceNeeded.fromNoVariation(interval, limit, items)
                    : EvidenceNeeded.fromStandardError(interval, limit, items, variance);
        }
        return new TaskAssessment(verdict, interval.method(), interval, items, flips, needed,
                interval.detectableDrop(limit), null, null, samples);
    }

    /** The verdict; null when {@link #accountingProblem()} is set. */
    public Verdict verdict() {
        return verdict;
    }

    public String accountingProblem() {
        return accountingProblem;
    }

    public DropInterval interval() {
        return interval;
    }

    public EvidenceNeeded evidenceNeeded() {
        return evidenceNeeded;
    }

    public Flips flips() {
        return flips;
    }

    public Long items() {
        return items;
    }

    /** Appends the evidence fields to a compare gate per_task row (after its verdict). */
    public void writeTo(ObjectNode row) {
        row.put("method", method);
        if (items == null) {
            row.putNull("n");
        } else {
            row.put("n", items);
        }
        if (interval == null) {
            row.putNull("interval");
        } else {
            ObjectNode json = row.putObject("interval");
            json.put("confidence", DropInterval.CONFIDENCE);
            json.put("method", interval.method());
            json.put("estimate", Decimals.round(interval.estimate(), 6));
            json.put("lower", Decimals.round(interval.lower(), 6));
            json.put("upper", Decimals.round(interval.upper(), 6));
            putNullable(json, "standard_error", interval.standardError(), 6);
            putNullable(json, "df", interval.degreesOfFreedom(), 2);
            if (interval.clusters() != null) {
                json.put("clusters", interval.clusters());
            }
        }
        if (flips == null) {
            row.putNull("flips");
        } else {
            ObjectNode json = row.putObject("flips");
            json.put("correct_to_wrong", flips.correctToWrong());
            json.put("wrong_to_correct", flips.wrongToCorrect());
            json.put("mcnemar_p", significant(flips.mcnemarP()));
        }
        putNullable(row, "detectable_drop", detectableDrop, 6);
        if (evidenceNeeded == null) {
            row.putNull("evidence_needed");
        } else {
            ObjectNode json = row.putObject("evidence_needed");
            putNullable(json, "target_standard_error", evidenceNeeded.targetStandardError(), 6);
            if (evidenceNeeded.items() == null) {
                json.putNull("items");
            } else {
                json.put("items", evidenceNeeded.items());
            }
            putNullable(json, "items_multiplier", evidenceNeeded.itemsMultiplier(), 2);
            if (evidenceNeeded.repeatsPerItem() == null) {
                json.putNull("repeats_per_item");
            } else {
                json.put("repeats_per_item", evidenceNeeded.repeatsPerItem());
            }
            json.put("note", evidenceNeeded.note());
        }
        if (reason != null) {
            row.put("reason", reason);
        }
        if (samples != null) {
            row.set("samples", samples);
        }
    }

    /** One clause for the gate's detail line. */
    public String describe(String task, double limit) {
        if (accountingProblem != null) {
            return task + ": " + accountingProblem;
        }
        StringBuilder text = new StringBuilder(task);
        if (interval == null) {
            text.append(": no interval (").append(reason).append(")");
        } else {
            text.append(": drop ").append(Decimals.fixed(interval.estimate(), 4)).append(", 95 % interval [")
                    .append(Decimals.fixed(interval.lower(), 4)).append(", ")
                    .append(Decimals.fixed(interval.upper(), 4)).append("] ");
            text.append(switch (verdict) {
                case PASS -> "within";
                case BREACH -> "above";
                case INSUFFICIENT_EVIDENCE -> "straddles";
            });
            text.append(" the limit ").append(Decimals.fixed(limit, 4)).append(" (").append(method);
            if (items != null) {
                text.append(", n=").append(items);
            }
            text.append(')');
        }
        if (verdict == Verdict.INSUFFICIENT_EVIDENCE && evidenceNeeded != null) {
            text.append("; ").append(evidenceNeeded.note());
        }
        if (samples != null && samples.path("repeats").has("not_independent")) {
            text.append("; ").append(samples.path("repeats").path("not_independent").asText());
        }
        return text.toString();
    }

    private static void putNullable(ObjectNode json, String field, Double value, int decimals) {
        if (value == null || !Double.isFinite(value)) {
            json.putNull(field);
        } else {
            json.put(field, Decimals.round(value, decimals));
        }
    }

    private static BigDecimal significant(double p) {
        return new BigDecimal(p).round(new MathContext(4)).stripTrailingZeros();
    }

    static ObjectNode samplesNode() {
        return Json.object();
    }
}
