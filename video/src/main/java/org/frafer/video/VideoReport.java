package org.frafer.video;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of analysing one video.
 *
 * @param file the video
 * @param info what the container says (format, codec, size, frame rate, duration)
 * @param decodedFrames video frames decoded
 * @param sampledFrames frames analysed (after --fps and --start/--end)
 * @param facesFound faces over all analysed frames
 * @param tracks per-track summaries, by id
 * @param warning why the stream ended early (the frames before were analysed), or null
 * @param seconds wall time of the analysis
 * @param mainTrack the track seen in the most frames, or -1 when no face was found
 * @param clipDescriptors the clip descriptor per track (see {@link ClipFeatures}) when embeddings
 *     were asked for
 * @param timelines per track: rows {time, p0, p1, ...} of the reported probabilities
 */
public record VideoReport(
        Path file,
        VideoReader.Info info,
        int decodedFrames,
        int sampledFrames,
        int facesFound,
        List<TrackSummary> tracks,
        String warning,
        double seconds,
        int mainTrack,
        Map<Integer, double[]> clipDescriptors,
        Map<Integer, List<double[]>> timelines) {

    /** Sampled frames analysed per second of wall time. */
    public double framesPerSecond() {
        return seconds > 0 ? sampledFrames / seconds : Double.NaN;
    }
}
