package org.frafer.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that remembers its first write error. {@link java.io.PrintWriter} swallows I/O
 * errors (a full disk would go unnoticed and leave a cut-off file), so writers built on one check
 * {@link #error()} after each record and stop the run.
 */
public final class WriteFailure extends FilterOutputStream {
    private volatile IOException error;

    public WriteFailure(OutputStream out) {
        super(out);
    }

    /** The first error seen, or null. */
    public IOException error() {
        return error;
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            throw remember(e);
        }
    }

    private IOException remember(IOException e) {
        if (error == null) {
            error = e;
        }
        return e;
    }
}
