package org.frafer.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A pass over the whole face table between prediction and writing, for work that needs every face
 * of the data set at once rather than one image: the seam for {@code --personalize auto} (group the
 * faces by identity with the {@code descriptor} column across the whole data set, then re-centre
 * each identity's probabilities). A pass returns a table with the columns of {@link
 * FaceTable#SCHEMA} (it may add more).
 */
@FunctionalInterface
public interface FaceTablePass {
    Dataset<Row> apply(Dataset<Row> faces);
}
