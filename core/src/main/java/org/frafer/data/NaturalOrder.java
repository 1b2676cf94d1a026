package org.frafer.data;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File order as people count: runs of digits compare by value, so "s2" comes before "s10" and
 * "img9.jpg" before "img10.jpg" (ORL's s1..s40 and 1.pgm..10.pgm list in their natural order).
 */
public final class NaturalOrder {
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** Paths by {@link #key} of their full text, ties (e.g. "01" vs "1") by the plain text. */
    public static final Comparator<Path> PATHS =
            Comparator.comparing((Path p) -> key(p.toString())).thenComparing(Path::toString);

    private NaturalOrder() {}

    /**
     * The text with every digit run left-padded with zeros to 20 characters (leading zeros dropped
     * first).
     */
    public static String key(String text) {
        Matcher m = DIGITS.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String digits = m.group().replaceFirst("^0+(?=.)", "");
            m.appendReplacement(sb, "0".repeat(Math.max(0, 20 - digits.length())) + digits);
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
