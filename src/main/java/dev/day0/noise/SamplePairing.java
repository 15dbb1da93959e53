package dev.day0.noise;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pairs the items of two runs of one task by document id and document hash, averaging repeated generations of
 * an item. The item sets must be identical: an item only one run has, or an id whose hash differs between the
 * runs, means the runs did not evaluate the same questions, and {@link #pair()} reports it as a sample-accounting
 * problem instead of comparing what happens to overlap.
 *
 * <p>Memory is per item, not per record: 12,032 items with 64 repeats each keep 12,032 accumulators per side.
 * The two sides are independent, so one thread may fill the baseline while another fills the candidate.
 */
public final class SamplePairing {
    private static final int SHOWN = 3;
    /**
     * Fewest items before two equal repeats count as a replay rather than a coincidence: equal 0/1 outcomes on a
     * handful of items happen by chance (0.9^30 is 4 %), on a hundred items they almost never do.
     */
    static final int REPLAY_MIN_BINARY_ITEMS = 100;
    /** The same for metric values other than 0 and 1, which agree by chance far less often. */
    static final int REPLAY_MIN_GRADED_ITEMS = 10;

    private final Side baseline = new Side("baseline");
    private final Side candidate = new Side("candidate");

    /** Adds one baseline record (one generation of one item). */
    public void baseline(String docId, String docHash, String promptHash, String category, double value) {
        baseline.add(docId, docHash, promptHash, category, value);
    }

    /** Adds one candidate record. */
    public void candidate(String docId, String docHash, String promptHash, String category, double value) {
        candidate.add(docId, docHash, promptHash, category, value);
    }

    private static final class Item {
        final String docId;
        final String docHash;
        final String promptHash;
        final String category;
        double sum;
        double squares;
        int count;
        /** Every record's value in file order, so repeats can be compared with each other and across runs. */
        double[] values = new double[1];

        Item(String docId, String docHash, String promptHash, String category) {
            this.docId = docId;
            this.docHash = docHash;
            this.promptHash = promptHash;
            this.category = category;
        }

        double mean() {
            return sum / count;
        }
    }

    private static final class Side {
        final String name;
        final Map<String, Item> items = new HashMap<>();
        long records;
        double recordSum;
        boolean binary = true;
        String problem;
        Item last;

        Side(String name) {
            this.name = name;
        }

        void add(String docId, String docHash, String promptHash, String category, double value) {
            Objects.requireNonNull(docId, "docId");
            if (!Double.isFinite(value)) {
                if (problem == null) {
                    problem = name + " doc " + docId + ": metric value is " + value + ", not a finite number";
                }
                return;
            }
            Item item = last;
            // Repeats of an item usually follow each other: skip building and hashing the key for them.
            if (item == null || !item.docId.equals(docId) || !Objects.equals(item.docHash, docHash)) {
                String key = docHash == null ? docId : docId + '\u0000' + docHash;
                item = items.get(key);
                if (item == null) {
                    item = new Item(docId, docHash, promptHash, category);
                    items.put(key, item);
                }
                last = item;
            }
            if (item.count == item.values.length) {
                item.values = java.util.Arrays.copyOf(item.values, item.count * 2);
            }
            item.values[item.count] = value;
            item.sum += value;
            item.squares += value * value;
            item.count++;
            records++;
            recordSum += value;
            binary &= value == 0.0 || value == 1.0;
        }
    }

    /**
     * The result: the paired items, or why they cannot be paired; and which repeats were independent.
     *
     * @param repeats null when {@code problem} is set
     */
    public record Result(PairedItems items, String problem, Repeats repeats) {
        Result(PairedItems items, String problem) {
            this(items, problem, null);
        }
    }

    /**
     * Repeats (the k-th record of every item is repeat k) and how many of them are independent. A repeat whose
     * values equal another repeat's on every item, in the same run or in the baseline, is a replay (a warm response
     * cache answers a "re-run" with the stored responses) and is not counted: it would shrink the interval with
     * evidence that was never gathered.
     *
     * @param candidateReplaysBaseline candidate repeats identical to a baseline repeat
     * @param note what was not counted, or null when every repeat is independent
     */
    public record Repeats(int baseline, int baselineIndependent, int candidate, int candidateIndependent,
                          int candidateReplaysBaseline, String note) {
        public boolean allIndependent() {
            return note == null;
        }
    }

    public Result pair() {
        if (baseline.problem != null) {
            return new Result(null, baseline.problem);
        }
        if (candidate.problem != null) {
            return new Result(null, candidate.problem);
        }
        if (baseline.items.isEmpty() || candidate.items.isEmpty()) {
            return new Result(null, "no items in the " + (baseline.items.isEmpty() ? "baseline" : "candidate")
                    + " per-sample file");
        }
        String mismatch = describeMismatch();
        if (mismatch != null) {
            return new Result(null, mismatch);
        }
        // Sorted by key so the sums, and so the printed figures, do not depend on hash-map order.
        TreeMap<String, Item> sortedBaseline = new TreeMap<>(baseline.items);
        TreeMap<String, Item> sortedCandidate = new TreeMap<>(candidate.items);
        List<double[]> baselineColumns = columns(sortedBaseline);
        List<double[]> candidateColumns = columns(sortedCandidate);
        boolean[] keepBaseline = firstOfEach(baselineColumns, List.of());
        boolean[] keepCandidate = firstOfEach(candidateColumns, List.of());
        boolean[] notReplay = firstOfEach(candidateColumns, baselineColumns);
        int replays = 0;
        for (int k = 0; k < keepCandidate.length; k++) {
            if (!notReplay[k]) {
                replays++;
            }
            keepCandidate[k] &= notReplay[k];
        }
        Repeats repeats = repeats(baselineColumns.size(), count(keepBaseline), candidateColumns.size(),
                count(keepCandidate), replays);
        if (repeats.candidateIndependent() == 0) {
            return new Result(null, null, repeats);
        }
        Side baseline = repeats.allIndependent() ? this.baseline : kept(this.baseline, keepBaseline);
        Side candidate = repeats.allIndependent() ? this.candidate : kept(this.candidate, keepCandidate);
        if (!baseline.items.keySet().equals(candidate.items.keySet())) {
            return new Result(null, "after leaving out repeats that are not independent, some items have no "
                    + "independent record (" + repeats.note() + ")");
        }
        TreeMap<String, Item> sorted = new TreeMap<>(baseline.items);
        int n = sorted.size();
        double[] baselineMeans = new double[n];
        double[] candidateMeans = new double[n];
        String[] categories = new String[n];
        int categorised = 0;
        int promptHashMismatches = 0;
        boolean singleRecord = true;
        int minRepeats = Integer.MAX_VALUE;
        int maxRepeats = 0;
        double withinSquaresBaseline = 0;
        double withinSquaresCandidate = 0;
        long withinDfBaseline = 0;
        long withinDfCandidate = 0;
        int i = 0;
        for (Map.Entry<String, Item> entry : sorted.entrySet()) {
            Item b = entry.getValue();
            Item c = candidate.items.get(entry.getKey());
            baselineMeans[i] = b.mean();
            candidateMeans[i] = c.mean();
            String category = b.category != null ? b.category : c.category;
            if (b.category != null && c.category != null && !b.category.equals(c.category)) {
                return new Result(null, "doc " + b.docId + " is in category \"" + b.category + "\" in the baseline "
                        + "but \"" + c.category + "\" in the candidate");
            }
            categories[i] = category;
            if (category != null) {
                categorised++;
            }
            if (b.promptHash != null && c.promptHash != null && !b.promptHash.equals(c.promptHash)) {
                promptHashMismatches++;
            }
            singleRecord &= b.count == 1 && c.count == 1;
            minRepeats = Math.min(minRepeats, Math.min(b.count, c.count));
            maxRepeats = Math.max(maxRepeats, Math.max(b.count, c.count));
            if (b.count > 1) {
                withinSquaresBaseline += b.squares - b.sum * b.sum / b.count;
                withinDfBaseline += b.count - 1;
            }
            if (c.count > 1) {
                withinSquaresCandidate += c.squares - c.sum * c.sum / c.count;
                withinDfCandidate += c.count - 1;
            }
            i++;
        }
        int[] cluster = null;
        List<String> clusterNames = List.of();
        if (categorised == n) {
            Map<String, Integer> index = new TreeMap<>();
            for (String category : categories) {
                index.putIfAbsent(category, 0);
            }
            List<String> names = new ArrayList<>(index.keySet());
            for (int k = 0; k < names.size(); k++) {
                index.put(names.get(k), k);
            }
            cluster = new int[n];
            for (int k = 0; k < n; k++) {
                cluster[k] = index.get(categories[k]);
            }
            clusterNames = Collections.unmodifiableList(names);
        }
        double withinBaseline = withinDfBaseline == 0 ? Double.NaN
                : Math.max(0, withinSquaresBaseline / withinDfBaseline);
        double withinCandidate = withinDfCandidate == 0 ? Double.NaN
                : Math.max(0, withinSquaresCandidate / withinDfCandidate);
        return new Result(new PairedItems(baselineMeans, candidateMeans, cluster, clusterNames, categorised,
                baseline.binary && candidate.binary && singleRecord, baseline.records, candidate.records,
                baseline.recordSum / baseline.records, candidate.recordSum / candidate.records, minRepeats, maxRepeats,
                withinBaseline, withinCandidate, promptHashMismatches), null, repeats);
    }

    /** Column k holds every item's k-th record (NaN where an item has fewer), items in sorted key order. */
    private static List<double[]> columns(TreeMap<String, Item> sorted) {
        int repeats = 0;
        for (Item item : sorted.values()) {
            repeats = Math.max(repeats, item.count);
        }
        List<double[]> columns = new ArrayList<>();
        for (int k = 0; k < repeats; k++) {
            double[] column = new double[sorted.size()];
            int i = 0;
            for (Item item : sorted.values()) {
                column[i++] = k < item.count ? item.values[k] : Double.NaN;
            }
            columns.add(column);
        }
        return columns;
    }

    /**
     * Which columns to keep: a column equal to an earlier one of the same list, or to any column of
     * {@code others}, is a replay. With {@code others} empty this keeps the first of each group of equal columns.
     */
    private static boolean[] firstOfEach(List<double[]> columns, List<double[]> others) {
        boolean[] keep = new boolean[columns.size()];
        for (int k = 0; k < columns.size(); k++) {
            keep[k] = true;
            if (!telling(columns.get(k))) {
                continue;
            }
            if (others.isEmpty()) {
                for (int j = 0; j < k && keep[k]; j++) {
                    keep[k] = !java.util.Arrays.equals(columns.get(j), columns.get(k));
                }
            } else {
                for (double[] other : others) {
                    if (java.util.Arrays.equals(other, columns.get(k))) {
                        keep[k] = false;
                        break;
                    }
                }
            }
        }
        return keep;
    }

    /** Whether equality with this column would be a replay, not chance: enough items, see the thresholds. */
    private static boolean telling(double[] column) {
        int present = 0;
        boolean graded = false;
        for (double value : column) {
            if (!Double.isNaN(value)) {
                present++;
                graded |= value != 0.0 && value != 1.0;
            }
        }
        return present >= (graded ? REPLAY_MIN_GRADED_ITEMS : REPLAY_MIN_BINARY_ITEMS);
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean flag : flags) {
            if (flag) {
                n++;
            }
        }
        return n;
    }

    private static Repeats repeats(int baselineRepeats, int baselineKept, int candidateRepeats, int candidateKept,
                                   int replays) {
        List<String> parts = new ArrayList<>();
        if (baselineKept < baselineRepeats) {
            parts.add((baselineRepeats - baselineKept) + " of " + baselineRepeats + " baseline repeats are "
                    + "bit-identical to another baseline repeat");
        }
        int candidateSelfCopies = candidateRepeats - candidateKept - replays;
        if (replays > 0) {
            parts.add(replays + " of " + candidateRepeats + " candidate repeats are bit-identical to a baseline "
                    + "repeat");
        }
        if (candidateSelfCopies > 0) {
            parts.add(candidateSelfCopies + " of " + candidateRepeats + " candidate repeats are bit-identical to "
                    + "another candidate repeat");
        }
        String note = parts.isEmpty() ? null : String.join("; ", parts) + ": not independent (a warm response "
                + "cache replays stored answers), so not counted";
        return new Repeats(baselineRepeats, baselineKept, candidateRepeats, candidateKept, replays, note);
    }

    /** A copy of {@code side} holding only the kept repeats of every item. */
    private static Side kept(Side side, boolean[] keep) {
        Side copy = new Side(side.name);
        for (Item item : new TreeMap<>(side.items).values()) {
            for (int k = 0; k < item.count; k++) {
                if (k < keep.length && keep[k]) {
                    copy.add(item.docId, item.docHash, item.promptHash, item.category, item.values[k]);
                }
            }
        }
        return copy;
    }

    private String describeMismatch() {
        if (baseline.items.keySet().equals(candidate.items.keySet())) {
            return null;
        }
        Map<String, String> baselineHashById = hashesById(baseline);
        Map<String, String> candidateHashById = hashesById(candidate);
        List<String> onlyBaseline = new ArrayList<>();
        List<String> onlyCandidate = new ArrayList<>();
        List<String> hashDiffers = new ArrayList<>();
        for (Map.Entry<String, Item> entry : new TreeMap<>(baseline.items).entrySet()) {
            if (candidate.items.containsKey(entry.getKey())) {
                continue;
            }
            String docId = entry.getValue().docId;
            if (candidateHashById.containsKey(docId)) {
                hashDiffers.add(docId);
            } else {
                onlyBaseline.add(docId);
            }
        }
        for (Map.Entry<String, Item> entry : new TreeMap<>(candidate.items).entrySet()) {
            String docId = entry.getValue().docId;
            if (!baseline.items.containsKey(entry.getKey()) && !baselineHashById.containsKey(docId)) {
                onlyCandidate.add(docId);
            }
        }
        List<String> parts = new ArrayList<>();
        if (!hashDiffers.isEmpty()) {
            parts.add(hashDiffers.size() + " doc ids with a different doc_hash (" + shown(hashDiffers) + ")");
        }
        if (!onlyBaseline.isEmpty()) {
            parts.add(onlyBaseline.size() + " items only in the baseline (" + shown(onlyBaseline) + ")");
        }
        if (!onlyCandidate.isEmpty()) {
            parts.add(onlyCandidate.size() + " items only in the candidate (" + shown(onlyCandidate) + ")");
        }
        return "the runs did not evaluate the same items (" + baseline.items.size() + " baseline, "
                + candidate.items.size() + " candidate): " + String.join("; ", parts);
    }

    private static Map<String, String> hashesById(Side side) {
        Map<String, String> byId = new HashMap<>();
        for (Item item : side.items.values()) {
            byId.put(item.docId, item.docHash);
        }
        return byId;
    }

    private static String shown(List<String> ids) {
        List<String> first = ids.subList(0, Math.min(SHOWN, ids.size()));
        return "doc " + String.join(", ", first) + (ids.size() > SHOWN ? ", ..." : "");
    }
}
