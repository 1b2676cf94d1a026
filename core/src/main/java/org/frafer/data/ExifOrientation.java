package org.frafer.data;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.tiff.TiffMetadataReader;
import com.drew.lang.ByteArrayReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The EXIF orientation of a photo, read with bounded memory whatever the file holds.
 *
 * <p>metadata-extractor's generic reader inflates every compressed PNG text chunk (zTXt, iTXt) in
 * full, so a 2.6 MB PNG with a 2.5 GiB zTXt chunk exhausts the heap. Here only the EXIF block is
 * read: JPEG APP1 segments (at most 64 KiB each by the format), the PNG {@code eXIf} chunk (skipped
 * when larger than {@link #MAX_EXIF_BYTES}; every other chunk is skipped unread), TIFF's first IFD.
 */
final class ExifOrientation {
    /** A larger EXIF block is ignored (real ones are a few KiB; the JPEG limit is 64 KiB). */
    static final int MAX_EXIF_BYTES = 1 << 20;

    /** PNG chunks looked at before giving up (a real PNG has a handful plus one per IDAT). */
    private static final int MAX_PNG_CHUNKS = 100_000;

    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
    };

    private ExifOrientation() {}

    /**
     * EXIF orientation 1..8; 1 when absent, unreadable or oversized (a bad EXIF block must not lose
     * the picture).
     */
    static int read(Path path, String format) {
        String f = format.toLowerCase(Locale.ROOT);
        try {
            Metadata md;
            if (f.contains("jpeg") || f.contains("jpg")) {
                try (InputStream in = Files.newInputStream(path)) {
                    md = JpegMetadataReader.readMetadata(in, List.of(new ExifReader()));
                }
            } else if (f.contains("png")) {
                byte[] exif = pngExif(path);
                if (exif == null) {
                    return 1;
                }
                md = new Metadata();
                new ExifReader().extract(new ByteArrayReader(exif), md, 0);
            } else if (f.contains("tif")) {
                md = TiffMetadataReader.readMetadata(path.toFile());
            } else {
                return 1; // PNM, BMP, GIF carry no EXIF
            }
            return orientation(md);
        } catch (Exception | StackOverflowError e) {
            return 1;
        }
    }

    private static int orientation(Metadata md) throws Exception {
        for (ExifIFD0Directory dir : md.getDirectoriesOfType(ExifIFD0Directory.class)) {
            if (dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = dir.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        }
        return 1;
    }

    /**
     * The data of the first PNG eXIf chunk (a TIFF header and IFDs), or null; other chunks are
     * seeked over.
     */
    static byte[] pngExif(Path path) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(path.toFile(), "r")) {
            byte[] sig = new byte[8];
            in.readFully(sig);
            if (!java.util.Arrays.equals(sig, PNG_SIGNATURE)) {
                return null;
            }
            long end = in.length();
            for (int i = 0; i < MAX_PNG_CHUNKS && in.getFilePointer() + 8 <= end; i++) {
                long length = in.readInt() & 0xffffffffL;
                int type = in.readInt();
                if (type == 0x65584966) { // "eXIf"
                    if (length > MAX_EXIF_BYTES || in.getFilePointer() + length > end) {
                        return null;
                    }
                    byte[] data = new byte[(int) length];
                    in.readFully(data);
                    return data;
                }
                if (type == 0x49454e44) { // "IEND"
                    return null;
                }
                in.seek(in.getFilePointer() + length + 4); // data and CRC
            }
            return null;
        }
    }
}
