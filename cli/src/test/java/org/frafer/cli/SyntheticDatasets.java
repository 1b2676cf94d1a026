package org.frafer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.frafer.data.BatchSource;
import org.frafer.data.DatasetSpec;
import org.frafer.data.EmotionClasses;
import org.frafer.data.FaceDataset;
import org.frafer.data.FaceSample;
import org.frafer.train.SyntheticBatches;

/**
 * Four-class synthetic datasets handed to train/evaluate/calibrate through {@link CliServices} in
 * CLI tests.
 */
final class SyntheticDatasets {
    static final List<String> FOUR = EmotionClasses.EIGHT.subList(0, 4);

    private SyntheticDatasets() {}

    /**
     * @param size samples of a request's dataset (labels cycle through the four classes)
     * @param requests every request the commands make is added here (may be null)
     * @param personSubjects evaluation batches carry subject ids ("person..."), for per-subject
     *     figures
     */
    static DatasetAccess fourClasses(
            ToIntFunction<DatasetAccess.Request> size,
            List<DatasetAccess.Request> requests,
            boolean personSubjects) {
        return new DatasetAccess() {
            @Override
            public FaceDataset open(DatasetSpec spec) {
                throw new AssertionError("the commands open train/evaluate data by request");
            }

            @Override
            public FaceDataset open(DatasetAccess.Request r) {
                if (requests != null) {
                    requests.add(r);
                }
                int n = size.applyAsInt(r);
                List<FaceSample> samples = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    samples.add(new FaceSample(Path.of("img" + i), null, i % 4, null, null));
                }
                return new FaceDataset() {
                    public String name() {
                        return "synthetic/" + r.split();
                    }

                    public List<String> classes() {
                        return FOUR;
                    }

                    public List<FaceSample> samples() {
                        return samples;
                    }
                };
            }

            @Override
            public BatchSource batches(
                    FaceDataset ds,
                    int batchSize,
                    int imageSize,
                    boolean training,
                    boolean flip,
                    long seed,
                    int workers) {
                return new SyntheticBatches(
                        ds.samples().size(),
                        batchSize,
                        imageSize,
                        4,
                        training ? 5 : 99,
                        training,
                        training || !personSubjects ? null : "person");
            }
        };
    }
}
