package org.frafer.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.frafer.io.SafeTensors;
import org.frafer.io.Weights;

/**
 * A model folder: {@code config.json} (a {@link ModelConfig}) + {@code model.safetensors} (FER and
 * fusion tensors by name) + for EfficientNet FR branches {@code fr.safetensors}, so the folder is
 * self-describing. Every file is written to a temp file and renamed into place.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String FR_WEIGHTS = "fr.safetensors";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFiles() {}

    public static void save(FraFerNetwork net, Path dir, SafeTensors.DType dtype) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot create model folder " + dir + ": " + e.getMessage(), e);
        }
        ModelConfig config = copy(net.config());
        if (net.fr() instanceof EfficientNetFrBackbone efr) {
            Path target = dir.resolve(FR_WEIGHTS);
            Path source = net.frWeights();
            if (source == null) {
                // a random-weight stand-in: keep exactly these weights so the folder reloads
                // bit-equal
                SafeTensors.write(
                        target,
                        Weights.export(efr.namedParameters()),
                        SafeTensors.DType.F32,
                        Map.of("note", "random-weight FR stand-in"));
            } else if (!sameFile(source, target)) {
                copyAtomically(source, target);
            }
            config.frWeights = FR_WEIGHTS;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "fra-fer");
        meta.put("arch", config.arch);
        meta.put("fusion", config.fusion);
        SafeTensors.write(dir.resolve(WEIGHTS), Weights.export(net.namedParameters()), dtype, meta);
        writeConfig(config, dir.resolve(CONFIG));
    }

    public static void writeConfig(ModelConfig config, Path file) {
        try {
            SafeTensors.writeBytesAtomically(file, JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig readConfig(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("Model folder not found: " + modelDir);
        }
        Path file = modelDir.resolve(CONFIG);
        try {
            return JSON.readValue(file.toFile(), ModelConfig.class).validate();
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("Model config not found: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("Bad model config " + file + ": " + oneLine(e), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's message without its multi-line source excerpt, with the line and column. */
    private static String oneLine(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            com.fasterxml.jackson.core.JsonLocation at = j.getLocation();
            return j.getOriginalMessage().replaceAll("\\s+", " ").trim()
                    + (at != null
                            ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"
                            : "");
        }
        return e.getMessage();
    }

    public static ModelConfig copy(ModelConfig c) {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(c), ModelConfig.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyAtomically(Path source, Path target) {
        Path tmp = null;
        try {
            tmp = org.frafer.io.AtomicFiles.tempFor(target);
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            SafeTensors.moveAtomically(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot copy FR weights " + source + " to " + target + ": " + e.getMessage(),
                    e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
