package org.frafer.cli;

import picocli.CommandLine.Command;

/** Placeholder: replaced by the real command (work in progress). */
@Command(name = "faces", description = "(in progress)")
public final class FacesCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("fra-fer faces: not implemented yet");
        return 2;
    }
}
