package dev.day0.sota;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An arXiv identifier, validated as arXiv assigns them: new-style {@code YYMM.NNNN} (April 2007 to December 2014)
 * and {@code YYMM.NNNNN} (from January 2015), and old-style {@code archive[.SC]/YYMMNNN} (1991 to March 2007),
 * each with an optional version {@code vN}. Strings that only look similar (a month 13, a five-digit number in
 * 2010, an unknown archive) are not ids: a reference is never stretched to fit a paper.
 *
 * @param id the identifier without version, e.g. {@code 2401.01234} or {@code hep-th/9901001}
 * @param version the version number, or null when none was given (the latest version)
 */
public record ArxivId(String id, Integer version) {
    private static final Pattern NEW_STYLE = Pattern.compile("(\\d{2})(\\d{2})\\.(\\d{4,5})(?:v([1-9]\\d{0,2}))?");
    private static final Pattern OLD_STYLE = Pattern.compile(
            "([a-z]+(?:-[a-z]+)?)(\\.[A-Z]{2})?/(\\d{2})(\\d{2})(\\d{3})(?:v([1-9]\\d{0,2}))?");
    private static final Set<String> OLD_ARCHIVES = Set.of("acc-phys", "adap-org", "alg-geom", "ao-sci",
            "astro-ph", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs",
            "dg-ga", "funct-an", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th",
            "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
            "solv-int", "supr-con");

    /** Parses exactly one id (with optional version); anything else, including surrounding text, is empty. */
    public static Optional<ArxivId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher modern = NEW_STYLE.matcher(text);
        if (modern.matches()) {
            int year = Integer.parseInt(modern.group(1));
            int month = Integer.parseInt(modern.group(2));
            int digits = modern.group(3).length();
            int yymm = year * 100 + month;
            if (month < 1 || month > 12 || yymm < 704) {
                return Optional.empty();
            }
            if ((yymm <= 1412 && digits != 4) || (yymm >= 1501 && digits != 5)) {
                return Optional.empty();
            }
            return Optional.of(new ArxivId(modern.group(1) + modern.group(2) + "." + modern.group(3),
                    version(modern.group(4))));
        }
        Matcher old = OLD_STYLE.matcher(text);
        if (old.matches()) {
            if (!OLD_ARCHIVES.contains(old.group(1))) {
                return Optional.empty();
            }
            int year = Integer.parseInt(old.group(3));
            int month = Integer.parseInt(old.group(4));
            boolean yearValid = year >= 91 || year <= 7;
            boolean beforeNewScheme = year >= 91 || year < 7 || month <= 3;
            if (month < 1 || month > 12 || !yearValid || !beforeNewScheme) {
                return Optional.empty();
            }
            String id = old.group(1) + (old.group(2) == null ? "" : old.group(2)) + "/" + old.group(3)
                    + old.group(4) + old.group(5);
            return Optional.of(new ArxivId(id, version(old.group(6))));
        }
        return Optional.empty();
    }

    private static Integer version(String digits) {
        return digits == null ? null : Integer.valueOf(digits);
    }

    /** The id with its version suffix when one was given. */
    public String versioned() {
        return version == null ? id : id + "v" + version;
    }

    public String absUrl() {
        return "https://arxiv.org/abs/" + versioned();
    }
}
