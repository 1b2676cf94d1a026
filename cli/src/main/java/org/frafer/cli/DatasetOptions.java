package org.frafer.cli;

import java.nio.file.Path;
import org.frafer.Assets;
import org.frafer.data.DatasetSpec;
import picocli.CommandLine.Option;

/**
 * Dataset options shared by every command that reads a labelled dataset ({@code @Mixin
 * DatasetOptions data;}), turned into a {@link DatasetSpec} for {@link
 * org.frafer.data.Datasets#open}.
 */
public final class DatasetOptions {
    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            converter = FormatConverter.class,
            description =
                    "Dataset layout: ferplus, affectnet, folder, facial-expressions, sfew (ferplus: FER2013Train|Valid|Test/label.csv; "
                            + "affectnet: training.csv/validation.csv + Manually_Annotated_Images/; folder: ROOT/<class>/*.jpg; "
                            + "facial-expressions: legend.csv + images/; sfew: Train/<Class>/*.png; the last two split train|valid|test by person/movie)")
    DatasetSpec.Format format;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description =
                    "Dataset root (default: FRAFER_DATA / -Dfrafer.data, for FER+ its parent folder works too)")
    Path root;

    @Option(
            names = "--split",
            paramLabel = "NAME",
            description =
                    "Split: train|valid|test (FER+), train|valid (AffectNet), a sub-folder (folder; default: the root)")
    String split;

    @Option(
            names = "--classes",
            defaultValue = "8",
            paramLabel = "8|7",
            description =
                    "8 classes (AffectNet-8 order) or 7 (without Contempt). Default: ${DEFAULT-VALUE}")
    int classes;

    @Option(
            names = "--labels",
            defaultValue = "majority",
            paramLabel = "MODE",
            description =
                    "FER+ labels: majority (official rule) or soft (vote distribution as soft targets). Default: ${DEFAULT-VALUE}")
    DatasetSpec.LabelMode labels;

    @Option(
            names = "--subject-column",
            paramLabel = "NAME",
            description = "CSV column with a subject/person id")
    String subjectColumn;

    @Option(
            names = "--subject-pattern",
            paramLabel = "REGEX",
            description =
                    "Regex with one group, searched in the image path relative to the image root, giving the subject id")
    String subjectPattern;

    @Option(
            names = "--limit",
            defaultValue = "0",
            paramLabel = "N",
            description = "Use at most N samples (0 = all)")
    int limit;

    @Option(
            names = "--subset-seed",
            paramLabel = "SEED",
            description =
                    "With --limit: a random subset chosen by this seed instead of the first N")
    Long subsetSeed;

    @Option(
            names = "--skip-bad-rows",
            description =
                    "Skip malformed CSV rows and missing image files (counted) instead of stopping with an error")
    boolean skipBadRows;

    @Option(
            names = "--image-root",
            paramLabel = "DIR",
            description =
                    "AffectNet: folder the CSV image paths are relative to (default: ROOT/Manually_Annotated_Images)")
    Path imageRoot;

    /** Accepts the command-line spelling ({@code facial-expressions}) as well as the enum name. */
    static final class FormatConverter
            implements picocli.CommandLine.ITypeConverter<DatasetSpec.Format> {
        @Override
        public DatasetSpec.Format convert(String value) {
            try {
                return DatasetSpec.Format.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "unknown format '"
                                + value
                                + "', expected one of "
                                + DatasetAccess.FORMAT_LIST);
            }
        }
    }

    @Option(
            names = "--teacher-labels",
            paramLabel = "FILE.csv",
            description =
                    "Soft targets from a teacher (tools/teacher/opencv_fer.py soft-labels), matched by image path")
    Path teacherLabels;

    @Option(
            names = "--teacher-weight",
            paramLabel = "W",
            defaultValue = "1",
            description =
                    "With --teacher-labels: target = W * teacher + (1 - W) * own label. Default: ${DEFAULT-VALUE}")
    float teacherWeight;

    /**
     * The dataset the options describe, with the teacher's targets when --teacher-labels is given.
     */
    public org.frafer.data.LoadedDataset open() {
        org.frafer.data.LoadedDataset ds = org.frafer.data.Datasets.open(toSpec());
        return teacherLabels == null
                ? ds
                : org.frafer.data.TeacherLabels.read(teacherLabels).apply(ds, teacherWeight);
    }

    public DatasetSpec toSpec() {
        Path r = root != null ? root : Assets.dataRoot();
        if (r == null) {
            throw new IllegalArgumentException("--root is required (or set FRAFER_DATA)");
        }
        DatasetSpec spec =
                DatasetSpec.of(format, r)
                        .withSplit(split)
                        .withClasses(classes)
                        .withLabelMode(labels)
                        .withSubjectColumn(subjectColumn)
                        .withSubjectPattern(subjectPattern)
                        .withSkipBadRows(skipBadRows)
                        .withImageRoot(imageRoot);
        return subsetSeed == null
                ? spec.withLimit(limit)
                : spec.withRandomSubset(limit, subsetSeed);
    }
}
