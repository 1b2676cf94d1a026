package org.frafer.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What {@link Datasets#open(DatasetSpec)} reads. Start from {@link #of(Format, Path)} and change
 * what you need:
 *
 * <pre>{@code
 * FaceDataset train = Datasets.open(DatasetSpec.of(Format.FERPLUS, dataRoot).withSplit("train").withClasses(8));
 * FaceDataset test7 = Datasets.open(DatasetSpec.of(Format.AFFECTNET, affectNetRoot).withSplit("valid").withClasses(7));
 * FaceDataset mine = Datasets.open(DatasetSpec.of(Format.FOLDER, photos).withSubjectPattern("^([^/]+)/"));
 * }</pre>
 *
 * @param format dataset layout
 * @param root dataset root (see {@link Format}); nothing is ever downloaded
 * @param split split name, or null for the format's default ({@code train} for AffectNet/FER+, the
 *     root itself for folders)
 * @param numClasses 8 (AffectNet-8 order, {@link EmotionClasses#EIGHT}) or 7 (without Contempt:
 *     contempt samples dropped)
 * @param labelMode FER+ only: {@code MAJORITY} (official rule, hard labels) or {@code SOFT} (same
 *     samples, cleaned vote distribution as soft label)
 * @param subjectColumn CSV column holding a subject/person id (AffectNet), or null
 * @param subjectPattern regex with one group, searched in the image path relative to the image root
 *     (with '/'), giving the subject id; or null
 * @param limit keep at most this many samples (0 = all)
 * @param subsetSeed null: the first {@code limit} samples in file order; otherwise a random subset
 *     of {@code limit} chosen by this seed (kept in file order)
 * @param skipBadRows false: a malformed CSV row or missing image file is an error naming the file
 *     and line; true: such rows are skipped and counted in {@link LoadedDataset#dropped()}
 * @param imageRoot AffectNet: folder the CSV paths are relative to (default: {@code
 *     root/Manually_Annotated_Images} when present, else root)
 */
public record DatasetSpec(
        Format format,
        Path root,
        String split,
        int numClasses,
        LabelMode labelMode,
        String subjectColumn,
        String subjectPattern,
        int limit,
        Long subsetSeed,
        boolean skipBadRows,
        Path imageRoot) {

    public enum Format {
        /**
         * {@code training.csv}/{@code validation.csv} (in root or
         * root/Manually_Annotated_file_lists) + images; splits train|valid.
         */
        AFFECTNET,
        /**
         * Microsoft FER+ layout: root/FER2013Train|Valid|Test/label.csv (root may also be its
         * parent); splits train|valid|test.
         */
        FERPLUS,
        /**
         * root[/split]/&lt;class&gt;/**&#47;*.jpg|png|... with class folder names like angry,
         * happy, neutral.
         */
        FOLDER,
        /**
         * facial_expressions: root/legend.csv + root/images/; person-disjoint splits
         * train|valid|test|all by name hash.
         */
        FACIAL_EXPRESSIONS,
        /**
         * SFEW 2.0: root(/Train)/&lt;Class&gt;/*.png; movie-disjoint splits train|valid|test|all by
         * name hash.
         */
        SFEW;

        /**
         * Accepts the enum name or its command-line spelling, any case ({@code
         * facial-expressions}).
         */
        public static Format parse(String s) {
            return Enum.valueOf(Format.class, s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        /** The command-line spelling: {@code ferplus}, {@code facial-expressions}. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum LabelMode {
        MAJORITY,
        SOFT;

        public static LabelMode parse(String s) {
            return Enum.valueOf(LabelMode.class, s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public DatasetSpec {
        if (format == null || root == null) {
            throw new IllegalArgumentException("dataset format and root are required");
        }
        if (numClasses != 7 && numClasses != 8) {
            throw new IllegalArgumentException(
                    "classes must be 8 (AffectNet-8) or 7 (without Contempt), not " + numClasses);
        }
        if (labelMode == null) {
            labelMode = LabelMode.MAJORITY;
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all), not " + limit);
        }
        if (subjectPattern != null) {
            try {
                int groups = Pattern.compile(subjectPattern).matcher("").groupCount();
                if (groups != 1) {
                    throw new IllegalArgumentException(
                            "subject pattern '"
                                    + subjectPattern
                                    + "' must have exactly one capturing group (it has "
                                    + groups
                                    + ")");
                }
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "subject pattern is not a valid regex: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Defaults: default split, 8 classes, majority labels, no subjects, all samples, errors on bad
     * rows.
     */
    public static DatasetSpec of(Format format, Path root) {
        return new DatasetSpec(
                format, root, null, 8, LabelMode.MAJORITY, null, null, 0, null, false, null);
    }

    public DatasetSpec withSplit(String s) {
        return new DatasetSpec(
                format,
                root,
                s,
                numClasses,
                labelMode,
                subjectColumn,
                subjectPattern,
                limit,
                subsetSeed,
                skipBadRows,
                imageRoot);
    }

    public DatasetSpec withClasses(int n) {
        return new DatasetSpec(
                format,
                root,
                split,
                n,
                labelMode,
                subjectColumn,
                subjectPattern,
                limit,
                subsetSeed,
                skipBadRows,
                imageRoot);
    }

    public DatasetSpec withLabelMode(LabelMode m) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                m,
                subjectColumn,
                subjectPattern,
                limit,
                subsetSeed,
                skipBadRows,
                imageRoot);
    }

    public DatasetSpec withSubjectColumn(String column) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                column,
                subjectPattern,
                limit,
                subsetSeed,
                skipBadRows,
                imageRoot);
    }

    public DatasetSpec withSubjectPattern(String regex) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                subjectColumn,
                regex,
                limit,
                subsetSeed,
                skipBadRows,
                imageRoot);
    }

    /** The first {@code n} samples (0 = all). */
    public DatasetSpec withLimit(int n) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                subjectColumn,
                subjectPattern,
                n,
                null,
                skipBadRows,
                imageRoot);
    }

    /** A random subset of {@code n} samples chosen by {@code seed} (same seed, same subset). */
    public DatasetSpec withRandomSubset(int n, long seed) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                subjectColumn,
                subjectPattern,
                n,
                seed,
                skipBadRows,
                imageRoot);
    }

    public DatasetSpec withSkipBadRows(boolean skip) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                subjectColumn,
                subjectPattern,
                limit,
                subsetSeed,
                skip,
                imageRoot);
    }

    public DatasetSpec withImageRoot(Path dir) {
        return new DatasetSpec(
                format,
                root,
                split,
                numClasses,
                labelMode,
                subjectColumn,
                subjectPattern,
                limit,
                subsetSeed,
                skipBadRows,
                dir);
    }
}
