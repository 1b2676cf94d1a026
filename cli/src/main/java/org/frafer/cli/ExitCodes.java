package org.frafer.cli;

/** The exit codes of every command (README, "Exit codes"). */
final class ExitCodes {
    /** Every input was processed. */
    static final int OK = 0;

    /** Some inputs failed; each was listed with its reason, the others were processed. */
    static final int INPUT_FAILED = 1;

    /**
     * Bad usage or configuration (options, model config, dataset layout): nothing was processed.
     */
    static final int USAGE = 2;

    /** An output could not be written; the message says what was kept. */
    static final int OUTPUT_FAILED = 3;

    private ExitCodes() {}
}
