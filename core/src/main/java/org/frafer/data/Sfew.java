package org.frafer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SFEW 2.0: {@code root/<Class>/<movie>_<timestamp>_<frame>.png} (root = {@code sfew/Train} or its
 * parent {@code sfew}), colour faces already cut and aligned by the SFEW authors (143x181): the
 * whole image is the face. The subject of a face is its <b>movie</b>, not its clip: the clips of
 * one movie share actors, so a split by clip would put the same people in training and validation.
 * Sequels share actors too, so the series named in {@link #SERIES} count as one movie. Splits are
 * by that key ({@link SubjectSplit}: about 80/10/10 of the faces, no movie in two splits).
 */
final class Sfew {
    /** Movie-name prefixes of series whose films share their cast. */
    static final List<String> SERIES = List.of("HarryPotter", "Oceans");

    /** Movie name, then the clip timestamp and frame number (separators vary: _, -, __). */
    private static final Pattern NAME = Pattern.compile("^(.+?)[-_]+\\d+[-_]+\\d+\\.[A-Za-z]+$");

    private Sfew() {}

    /**
     * The movie (or series) of a file name; the stem itself when the name has no timestamp and
     * frame.
     */
    static String movie(String fileName) {
        Matcher m = NAME.matcher(fileName);
        String movie = m.matches() ? m.group(1) : fileName.replaceFirst("\\.[^.]+$", "");
        for (String s : SERIES) {
            if (movie.startsWith(s)) {
                return s;
            }
        }
        return movie;
    }

    static List<FaceSample> read(
            DatasetSpec spec, List<String> classes, Map<String, Integer> dropped) {
        String split = SubjectSplit.parse(spec.split(), "sfew");
        Path root = spec.root();
        if (!Files.isDirectory(root)) {
            throw new DatasetException("sfew: not a folder: " + root);
        }
        if (Files.isDirectory(root.resolve("Train"))) {
            root = root.resolve("Train");
        }
        TreeMap<String, Path> classDirs = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && !n.startsWith(".")) {
                    if (EmotionNames.canonical(n) == null) {
                        unknown.add(n);
                    } else {
                        classDirs.put(n, p);
                    }
                }
            }
        } catch (IOException e) {
            throw new DatasetException(root + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (!unknown.isEmpty()) {
            throw new DatasetException(
                    root
                            + ": unknown class folder name(s) "
                            + unknown
                            + "; accepted (any case): "
                            + EmotionNames.accepted());
        }
        if (classDirs.isEmpty()) {
            throw new DatasetException(
                    root
                            + ": no class folders (expected sfew/Train/<Class>/*.png, e.g. Angry/, Happy/)");
        }
        List<FaceSample> samples = new ArrayList<>();
        Map<String, Integer> perMovie = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : classDirs.entrySet()) {
            String canonical = EmotionNames.canonical(e.getKey());
            int label = classes.indexOf(canonical);
            List<Path> files;
            try (Stream<Path> s = Files.list(e.getValue())) {
                files =
                        s.filter(Files::isRegularFile)
                                .filter(Images::hasImageExtension)
                                .sorted()
                                .toList();
            } catch (IOException | UncheckedIOException ex) {
                throw new DatasetException(
                        e.getValue() + ": cannot list (" + ex.getMessage() + ")", ex);
            }
            for (Path f : files) {
                perMovie.merge(movie(f.getFileName().toString()), 1, Integer::sum);
            }
            if (label < 0) {
                dropped.merge(
                        canonical + " (not in " + classes.size() + "-class mode)",
                        files.size(),
                        Integer::sum);
                continue;
            }
            for (Path f : files) {
                String movie = movie(f.getFileName().toString());
                samples.add(new FaceSample(f, null, label, null, movie));
            }
        }
        return SubjectSplit.select(samples, split, perMovie);
    }
}
