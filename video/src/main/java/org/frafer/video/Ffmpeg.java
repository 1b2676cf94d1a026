package org.frafer.video;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg's own logging: quiet (our messages say the same in one line per file) unless
 * FRAFER_FFMPEG_LOG is set.
 */
final class Ffmpeg {
    private static boolean done;

    private Ffmpeg() {}

    static synchronized void init() {
        if (!done) {
            avutil.av_log_set_level(
                    System.getenv("FRAFER_FFMPEG_LOG") != null
                            ? avutil.AV_LOG_INFO
                            : avutil.AV_LOG_QUIET);
            done = true;
        }
    }
}
