package org.frafer.spark;

import java.util.LinkedHashMap;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.ImageResult;

/**
 * The job's output: one row per face; an image without a face gets one row with status {@code
 * no_face} and an image that cannot be used one row with status {@code error} and the reason, so
 * every input image appears at least once and one bad file never fails the job.
 */
public final class FaceTable {
    /** Status words, the same as {@code predict --format jsonl|csv}. */
    public static final String OK = "ok";

    public static final String NO_FACE = "no_face";
    public static final String ERROR = "error";

    private static final StructType BOX =
            new StructType()
                    .add("x", DataTypes.FloatType, false)
                    .add("y", DataTypes.FloatType, false)
                    .add("width", DataTypes.FloatType, false)
                    .add("height", DataTypes.FloatType, false);

    private static final StructType POINT =
            new StructType()
                    .add("x", DataTypes.FloatType, false)
                    .add("y", DataTypes.FloatType, false);

    /** Columns, in order. Boxes and keypoints are in pixels of the upright (EXIF-rotated) image. */
    public static final StructType SCHEMA =
            new StructType(
                    new StructField[] {
                        DataTypes.createStructField("path", DataTypes.StringType, false),
                        DataTypes.createStructField("status", DataTypes.StringType, false),
                        DataTypes.createStructField("error", DataTypes.StringType, true),
                        DataTypes.createStructField("width", DataTypes.IntegerType, true),
                        DataTypes.createStructField("height", DataTypes.IntegerType, true),
                        DataTypes.createStructField("face_count", DataTypes.IntegerType, true),
                        DataTypes.createStructField("face_index", DataTypes.IntegerType, true),
                        DataTypes.createStructField("box", BOX, true),
                        DataTypes.createStructField("face_score", DataTypes.FloatType, true),
                        DataTypes.createStructField(
                                "keypoints", DataTypes.createArrayType(POINT, false), true),
                        DataTypes.createStructField("label", DataTypes.StringType, true),
                        DataTypes.createStructField("score", DataTypes.FloatType, true),
                        DataTypes.createStructField(
                                "probabilities",
                                DataTypes.createMapType(
                                        DataTypes.StringType, DataTypes.FloatType, false),
                                true),
                        DataTypes.createStructField(
                                "embedding",
                                DataTypes.createArrayType(DataTypes.FloatType, false),
                                true),
                        DataTypes.createStructField(
                                "descriptor",
                                DataTypes.createArrayType(DataTypes.FloatType, false),
                                true),
                    });

    private FaceTable() {}

    /** An image that could not be used. */
    static Row error(String path, String message) {
        return RowFactory.create(
                path, ERROR, message, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /**
     * The rows of one image's result.
     *
     * @param embeddings per face, or null when not asked for
     * @param descriptors per face, or null when not asked for
     */
    static void rows(
            String path,
            ImageResult r,
            float[][] embeddings,
            float[][] descriptors,
            List<Row> out) {
        if (!r.ok()) {
            out.add(error(path, r.error()));
            return;
        }
        int n = r.faces().size();
        if (n == 0) {
            out.add(
                    RowFactory.create(
                            path,
                            NO_FACE,
                            null,
                            r.width(),
                            r.height(),
                            0,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null));
            return;
        }
        for (int i = 0; i < n; i++) {
            FaceEmotion f = r.faces().get(i);
            Row box =
                    RowFactory.create(
                            f.face().x(), f.face().y(), f.face().width(), f.face().height());
            float[][] kp = f.face().keypoints();
            Row[] points = new Row[kp.length];
            for (int k = 0; k < kp.length; k++) {
                points[k] = RowFactory.create(kp[k][0], kp[k][1]);
            }
            // A Scala map (what Spark's row encoder takes) over the class-ordered map, so the order
            // is the model's.
            scala.collection.Map<String, Float> probs =
                    scala.jdk.javaapi.CollectionConverters.asScala(
                            new LinkedHashMap<>(f.probabilityMap()));
            out.add(
                    RowFactory.create(
                            path,
                            OK,
                            null,
                            r.width(),
                            r.height(),
                            n,
                            i,
                            box,
                            f.face().score(),
                            points,
                            f.label(),
                            f.score(),
                            probs,
                            embeddings == null ? null : embeddings[i],
                            descriptors == null ? null : descriptors[i]));
        }
    }
}
