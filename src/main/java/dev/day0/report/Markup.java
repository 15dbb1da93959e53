package dev.day0.report;

/**
 * The one escaping routine for text placed in XML (junit.xml) and HTML (report.html, the ladder report): element
 * content and quoted attribute values alike.
 *
 * <p>Hand-written rather than Apache Commons Text: its {@code escapeXml10} writes {@code &apos;}, which HTML 4
 * readers do not know, and its {@code escapeHtml4} turns every non-ASCII letter into a named entity, so neither
 * serves both formats; the five escapes below are valid in XML 1.0 and HTML alike and need no dependency.
 */
public final class Markup {
    private Markup() {
    }

    /**
     * {@code & < > " '} as character references, and the characters XML 1.0 cannot hold (control characters other
     * than tab, line feed and carriage return, unpaired surrogates, U+FFFE and U+FFFF) dropped, so a hostile
     * detail string can neither break the markup nor make the file unreadable. Null is the empty string.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(ch) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(ch).append(text.charAt(++i));
                    } else if (allowed(ch)) {
                        out.append(ch);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean allowed(char ch) {
        if (ch < 0x20) {
            return ch == '\t' || ch == '\n' || ch == '\r';
        }
        return !Character.isSurrogate(ch) && ch != '\uFFFE' && ch != '\uFFFF';
    }
}
