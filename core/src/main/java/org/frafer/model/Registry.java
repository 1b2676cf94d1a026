package org.frafer.model;

import java.util.Iterator;
import java.util.List;
import org.frafer.model.fusion.Fusions;

/**
 * The names a model config can use, in one place: FER backbones ({@link FerBackbones}), FR
 * backbones ({@link FrBackbones}) and fusions ({@link Fusions}). Config validation, the network
 * factory, {@code model summary} and the command-line help all read these lists; nothing else
 * spells them out.
 *
 * <p>The nested classes are the same lists as {@code Iterable}s for picocli's {@code
 * completionCandidates} ({@code ${COMPLETION-CANDIDATES}} in an option's description).
 */
public final class Registry {
    private Registry() {}

    public static List<String> ferBackbones() {
        return FerBackbones.KNOWN;
    }

    public static List<String> frBackbones() {
        return FrBackbones.KNOWN;
    }

    public static List<String> fusions() {
        return Fusions.NAMES;
    }

    /** FER backbone arch names, for help texts. */
    public static final class FerBackboneNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ferBackbones().iterator();
        }
    }

    /** FR backbone ids, for help texts. */
    public static final class FrBackboneNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return frBackbones().iterator();
        }
    }

    /** Fusion names, for help texts. */
    public static final class FusionNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return fusions().iterator();
        }
    }
}
