package org.frafer.faces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** File helpers for the face tools: image listing and natural ordering. */
public final class FaceFiles {
    private FaceFiles() {}

    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "pgm", "ppm", "pnm", "tif", "tiff", "webp");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    public static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return !n.startsWith(".") && dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1));
    }

    /** "s2" < "s10": numbers compare by value (zero-padded to 12 digits). */
    public static String naturalKey(Path p) {
        Matcher m = DIGITS.matcher(p.getFileName().toString());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, String.format("%012d", Long.parseLong(m.group().length() > 12 ? m.group().substring(0, 12) : m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Files given on the command line: files as is, directories expanded to their image files (sorted, not recursive). */
    public static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.list(in)) {
                    List<Path> imgs = s.filter(Files::isRegularFile).filter(FaceFiles::looksLikeImage)
                            .sorted(Comparator.comparing(FaceFiles::naturalKey)).toList();
                    if (imgs.isEmpty()) {
                        throw new IOException(in + ": directory contains no image files (" + IMAGE_EXTENSIONS + ")");
                    }
                    out.addAll(imgs);
                }
            } else {
                out.add(in); // missing or unreadable files are reported per file by the caller
            }
        }
        return out;
    }
}
