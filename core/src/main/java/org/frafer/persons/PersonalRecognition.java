package org.frafer.persons;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.frafer.data.EmotionNames;
import org.frafer.data.Images;
import org.frafer.faces.DetectedFace;
import org.frafer.infer.DefaultModel;
import org.frafer.infer.EmotionRecognizer;
import org.frafer.infer.FaceCrop;
import org.frafer.infer.FaceEmotion;
import org.frafer.infer.ImageResult;

/**
 * An {@link EmotionRecognizer} with person profiles: enrols photos into a {@link ProfileStore},
 * names the enrolled person a face matches and reads its emotion relative to them; automatic
 * personalisation of a collection needs no store.
 *
 * <pre>{@code
 * try (EmotionRecognizer r = EmotionRecognizer.load(modelDir);
 *      PersonalRecognition p = PersonalRecognition.open(r, modelDir, Path.of("people"))) {
 *     p.enrol("ann", List.of(Path.of("ann-resting.jpg")));         // neutral baseline
 *     p.enrol("ann", "happy", List.of(Path.of("ann-smiling.jpg"))); // few-shot
 *     List<FaceEmotion> faces = p.predict(Path.of("party.jpg"));     // FaceEmotion.person() = "ann" or null
 * }
 * }</pre>
 *
 * <p>Closing it closes the identity encoder, not the recognizer.
 */
public final class PersonalRecognition implements AutoCloseable {
    private final EmotionRecognizer r;
    private final ProfileStore store;
    private final Path modelDir;
    private final NeutralReference givenReference;
    private final double threshold;
    private IdentityEncoder encoder;
    private Personalizer personalizer;
    private String fingerprint;
    private List<PersonProfile> cached;
    private final java.util.Map<String, Personalizer.Adjustment> adjustments =
            new java.util.HashMap<>();
    private long cachedStamp = Long.MIN_VALUE;

    /**
     * @param r the recognizer (not closed by this)
     * @param storeDir person store folder, or null for automatic personalisation only
     * @param modelDir the recognizer's model folder (neutral reference and weights fingerprint), or
     *     null
     * @param reference the neutral reference; null = {@code modelDir/neutral-reference.json}
     * @param encoder identity descriptors; null = HSE FaceRes from the assets (closed by this)
     * @param threshold identity cosine threshold, e.g. {@link IdentityMatcher#DEFAULT_THRESHOLD}
     */
    public PersonalRecognition(
            EmotionRecognizer r,
            Path storeDir,
            Path modelDir,
            NeutralReference reference,
            IdentityEncoder encoder,
            double threshold) {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException(
                    "identity threshold must be in [-1, 1], got " + threshold);
        }
        this.r = r;
        this.store = storeDir == null ? null : ProfileStore.at(storeDir);
        this.modelDir = modelDir;
        this.givenReference = reference;
        this.encoder = encoder;
        this.threshold = threshold;
    }

    /** With the default identity encoder, threshold and the model folder's neutral reference. */
    public static PersonalRecognition open(EmotionRecognizer r, Path modelDir, Path storeDir) {
        return new PersonalRecognition(
                r, storeDir, modelDir, null, null, IdentityMatcher.DEFAULT_THRESHOLD);
    }

    synchronized IdentityEncoder encoder() {
        if (encoder == null) {
            encoder = IdentityEncoder.createDefault();
        }
        return encoder;
    }

    synchronized Personalizer personalizer(List<String> classes) {
        if (personalizer == null) {
            NeutralReference ref = givenReference;
            if (ref == null) {
                Path file = modelDir == null ? null : modelDir.resolve(NeutralReference.FILE);
                if (file == null || !Files.isRegularFile(file)) {
                    throw new PersonsException(
                            "the model "
                                    + (modelDir == null ? "(built in memory)" : modelDir)
                                    + " has no "
                                    + NeutralReference.FILE
                                    + ", which personalisation needs; make it with: fra-fer person calibrate --model DIR --data FERPLUS_DIR");
                }
                ref = NeutralReference.read(file);
            }
            if (!ref.classes().equals(classes)) {
                throw new PersonsException(
                        "the neutral reference has classes "
                                + ref.classes()
                                + ", the model "
                                + classes);
            }
            personalizer = new Personalizer(ref);
        }
        return personalizer;
    }

    /**
     * Fingerprint of the emotion model whose outputs profiles hold: the weights' SHA-256 (first 16
     * hex digits).
     */
    synchronized String modelFingerprint() {
        if (fingerprint == null) {
            Path w = modelDir == null ? null : modelDir.resolve(DefaultModel.WEIGHTS);
            if (w == null || !Files.isRegularFile(w)) {
                fingerprint = "unsaved-network";
            } else {
                try (InputStream in = Files.newInputStream(w)) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                    fingerprint =
                            "sha256:" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
                } catch (IOException | NoSuchAlgorithmException e) {
                    throw new PersonsException(
                            w + ": cannot read the model weights: " + e.getMessage(), e);
                }
            }
        }
        return fingerprint;
    }

    ProfileStore store() {
        if (store == null) {
            throw new PersonsException(
                    "no person store: build the recognizer with EmotionRecognizer.builder().persons(DIR)");
        }
        return store;
    }

    // ---------------------------------------------------------------- analysis

    /** Every face of a photo with its probabilities and identity descriptor. */
    public List<AnalysedFace> analyse(BufferedImage image) {
        List<FaceCrop> crops = r.faces(image);
        List<FaceEmotion> emotions = r.classify(crops);
        List<DetectedFace> boxes = crops.stream().map(FaceCrop::face).toList();
        float[][] ids = encoder().describe(image, boxes);
        List<AnalysedFace> out = new ArrayList<>();
        for (int i = 0; i < crops.size(); i++) {
            out.add(new AnalysedFace(boxes.get(i), emotions.get(i).probabilities(), ids[i]));
        }
        return out;
    }

    // ---------------------------------------------------------------- enrolment

    /**
     * Enrols photos that each show exactly one face, all or none: every photo is checked before the
     * store is touched. {@code label} null = Neutral (neutral-baseline enrolment).
     */
    /**
     * Few-shot enrolment ({@code label} = the emotion the photos show; null = Neutral, the neutral
     * baseline). Photos must each show exactly one face; all are checked before the store is
     * touched.
     *
     * @throws PersonsException naming a photo with no face or several faces, or a store problem
     * @throws org.frafer.data.ImageReadException naming a file that is not a readable image
     */
    public PersonProfile enrol(String person, String label, List<Path> photos) {
        ProfileStore s = store();
        ProfileStore.checkId(person);
        String cls = label == null ? "Neutral" : canonicalLabel(label, r.classes());
        if (photos.isEmpty()) {
            throw new PersonsException("no photos given to enrol '" + person + "'");
        }
        personalizer(r.classes()); // a model that cannot personalise is refused before anything
        // is written
        List<PersonProfile.Sample> samples = new ArrayList<>();
        for (Path p : photos) {
            BufferedImage img = Images.read(p, r.options().maxPixels());
            List<AnalysedFace> faces = analyse(img);
            if (faces.isEmpty()) {
                throw new PersonsException(
                        p + ": no face found; enrol photos showing the person's face");
            }
            if (faces.size() > 1) {
                throw new PersonsException(
                        p
                                + ": "
                                + faces.size()
                                + " faces found; enrol photos showing only this person");
            }
            AnalysedFace f = faces.get(0);
            samples.add(
                    new PersonProfile.Sample(
                            cls,
                            p.getFileName().toString(),
                            f.identity(),
                            Personalizer.logProbs(f.probabilities())));
        }
        PersonProfile out =
                s.enrol(person, modelFingerprint(), encoder().modelId(), r.classes(), samples);
        invalidate();
        return out;
    }

    static String canonicalLabel(String label, List<String> classes) {
        String c;
        try {
            c = EmotionNames.canonical(label);
        } catch (IllegalArgumentException e) {
            throw new PersonsException(
                    "unknown emotion '" + label + "'; the model's classes are " + classes);
        }
        if (c == null || !classes.contains(c)) {
            throw new PersonsException(
                    "unknown emotion '" + label + "'; the model's classes are " + classes);
        }
        return c;
    }

    /** Deletes a person's profile; false when there was none. */
    public boolean forget(String person) {
        boolean removed = store().forget(person);
        invalidate();
        return removed;
    }

    /** The enrolled people, by name. */
    public List<String> persons() {
        return store().ids();
    }

    private synchronized void invalidate() {
        cached = null;
        adjustments.clear();
    }

    /**
     * The store's profiles, re-read when the folder changed (another process enrolled or forgot
     * someone).
     */
    private synchronized List<PersonProfile> profiles() {
        long stamp;
        try {
            stamp =
                    Files.isDirectory(store.dir())
                            ? Files.getLastModifiedTime(store.dir()).toMillis()
                            : -1;
        } catch (IOException e) {
            stamp = -2;
        }
        if (cached == null || stamp != cachedStamp) {
            adjustments.clear();
            cached = store.list();
            cachedStamp = stamp;
        }
        return cached;
    }

    // ---------------------------------------------------------------- prediction

    /**
     * The faces of one photo matched against the store and personalised (unchanged when nobody
     * matches).
     */
    List<FaceEmotion> personalise(BufferedImage image, List<FaceEmotion> faces) {
        if (store == null || faces.isEmpty()) {
            return faces;
        }
        List<PersonProfile> profiles = profiles();
        if (profiles.isEmpty()) {
            return faces;
        }
        Personalizer pz = personalizer(r.classes());
        String fp = modelFingerprint();
        for (PersonProfile p : profiles) {
            if (!p.model().equals(fp) || !p.identityModel().equals(encoder().modelId())) {
                throw new PersonsException(
                        store.fileOf(p.id())
                                + ": enrolled with model "
                                + p.model()
                                + " / "
                                + p.identityModel()
                                + ", this recognizer runs "
                                + fp
                                + " / "
                                + encoder().modelId()
                                + "; enrol the person again with this model");
            }
        }
        float[][] ids = encoder().describe(image, faces.stream().map(FaceEmotion::face).toList());
        IdentityMatcher matcher = new IdentityMatcher(profiles, threshold);
        List<FaceEmotion> out = new ArrayList<>(faces.size());
        for (int i = 0; i < faces.size(); i++) {
            FaceEmotion f = faces.get(i);
            Optional<IdentityMatcher.Match> m = matcher.match(ids[i]);
            if (m.isEmpty()) {
                out.add(f);
                continue;
            }
            PersonProfile p =
                    profiles.stream()
                            .filter(x -> x.id().equals(m.get().person()))
                            .findFirst()
                            .orElseThrow();
            Personalizer.Adjustment a;
            synchronized (this) {
                a = adjustments.computeIfAbsent(p.id(), k -> pz.forProfile(p));
            }
            float[] probs = a.apply(Personalizer.logProbs(f.probabilities()));
            out.add(new FaceEmotion(f.face(), f.classes(), probs, m.get().person()));
        }
        return out;
    }

    ImageResult personalise(ImageResult res, BufferedImage image) {
        if (store == null || !res.ok() || res.faces().isEmpty() || image == null) {
            return res;
        }
        return new ImageResult(
                res.path(), res.width(), res.height(), personalise(image, res.faces()), null);
    }

    /** Every face of a photo, named and personalised when it matches an enrolled person. */
    public List<FaceEmotion> predict(BufferedImage image) {
        return personalise(image, r.predict(image));
    }

    /**
     * As {@link #predict(BufferedImage)}, for a file ({@link org.frafer.data.ImageReadException}
     * naming it when unreadable).
     */
    public List<FaceEmotion> predict(Path photo) {
        return predict(Images.read(photo, r.options().maxPixels()));
    }

    /** {@link EmotionRecognizer#predictEach} with every result personalised. */
    public void predictEach(List<Path> photos, EmotionRecognizer.ResultListener listener) {
        r.predictEach(photos, (res, image) -> listener.onResult(personalise(res, image), image));
    }

    public List<ImageResult> predictAll(List<Path> photos) {
        List<ImageResult> out = new ArrayList<>();
        predictEach(photos, (res, img) -> out.add(res));
        return out;
    }

    /**
     * Neutral-baseline enrolment: photos of the person's resting face, one face each, all checked
     * before anything is stored.
     */
    public PersonProfile enrol(String person, List<Path> photos) {
        return enrol(person, null, photos);
    }

    /**
     * Automatic mode over a collection: faces grouped by identity (no enrolment), each group of at
     * least {@link Personalizer#AUTO_MIN_FACES} re-centred on its median output; faces get the
     * person {@code group-N} (groups numbered by size, largest first, from 1) or none when their
     * group is too small.
     */
    public List<ImageResult> predictAllAuto(List<Path> images) {
        List<ImageResult> results = new ArrayList<>();
        List<float[]> ids = new ArrayList<>();
        List<int[]> where = new ArrayList<>(); // {result index, face index}
        for (Path p : images) {
            BufferedImage img;
            try {
                img = Images.read(p, r.options().maxPixels());
            } catch (org.frafer.data.ImageReadException e) {
                results.add(ImageResult.failed(p, e.getMessage()));
                continue;
            }
            List<AnalysedFace> faces = analyse(img);
            List<FaceEmotion> fe = new ArrayList<>();
            for (AnalysedFace f : faces) {
                where.add(new int[] {results.size(), fe.size()});
                ids.add(f.identity());
                fe.add(new FaceEmotion(f.face(), r.classes(), f.probabilities()));
            }
            results.add(new ImageResult(p, img.getWidth(), img.getHeight(), fe, null));
        }
        int[] group = IdentityClusters.of(ids.toArray(new float[0][]), threshold);
        int groups = group.length == 0 ? 0 : java.util.Arrays.stream(group).max().getAsInt() + 1;
        List<List<Integer>> members = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < group.length; i++) {
            members.get(group[i]).add(i);
        }
        List<Integer> order = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            order.add(g);
        }
        order.sort((a, b) -> Integer.compare(members.get(b).size(), members.get(a).size()));
        Personalizer pz = personalizer(r.classes());
        List<List<FaceEmotion>> faces = new ArrayList<>();
        results.forEach(res -> faces.add(new ArrayList<>(res.faces())));
        for (int rank = 0; rank < order.size(); rank++) {
            List<Integer> m = members.get(order.get(rank));
            List<float[]> lps =
                    m.stream()
                            .map(
                                    i ->
                                            Personalizer.logProbs(
                                                    faces.get(where.get(i)[0])
                                                            .get(where.get(i)[1])
                                                            .probabilities()))
                            .toList();
            Personalizer.Adjustment a = pz.forGroup(lps);
            if (a.mode().equals("none")) {
                continue;
            }
            for (int j = 0; j < m.size(); j++) {
                int[] w = where.get(m.get(j));
                FaceEmotion f = faces.get(w[0]).get(w[1]);
                faces.get(w[0])
                        .set(
                                w[1],
                                new FaceEmotion(
                                        f.face(),
                                        f.classes(),
                                        a.apply(lps.get(j)),
                                        "group-" + (rank + 1)));
            }
        }
        List<ImageResult> out = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ImageResult res = results.get(i);
            out.add(
                    res.ok()
                            ? new ImageResult(
                                    res.path(), res.width(), res.height(), faces.get(i), null)
                            : res);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (encoder != null) {
            encoder.close();
        }
    }
}
