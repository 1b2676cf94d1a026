package org.frafer.cli;

import picocli.CommandLine.Command;

/** Placeholder: replaced by the real command (work in progress). */
@Command(name = "model", description = "(in progress)")
public final class ModelCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("fra-fer model: not implemented yet");
        return 2;
    }
}
