package org.frafer.infer;

import java.util.List;
import org.frafer.data.FacePreprocess;

/** Face crops to the tensor layout every network here takes: NCHW float32 RGB in [0, 1]. */
final class Pixels {
    private Pixels() {}

    static float[] toNchw(List<FaceCrop> faces, int size) {
        int per = 3 * size * size;
        float[] out = new float[faces.size() * per];
        for (int n = 0; n < faces.size(); n++) {
            FaceCrop f = faces.get(n);
            float[] in = f.input();
            if (in == null) {
                in = FacePreprocess.toChw(f.image(), null, size, false);
            }
            if (in.length != per) {
                throw new IllegalArgumentException(
                        "face "
                                + n
                                + " has "
                                + in.length
                                + " input values, the model takes 3x"
                                + size
                                + "x"
                                + size);
            }
            System.arraycopy(in, 0, out, n * per, per);
        }
        return out;
    }
}
