package io.dray.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The bytes a job gives its first step's stdin, kept in the store every instance shares, so that whichever instance
 * runs the job (or takes it over) reads them; kept until that step succeeded or the job is deleted. An input is
 * written in chunks before its job is queued; one whose job never was queued (its upload broke off, or its instance
 * died meanwhile) expires on its own.
 */
public interface InputStore {

    /** Appends a chunk to the job's input. */
    void append(String jobId, byte[] chunk, int length);

    /** Writes the job's whole input to {@code target}, in chunks; false, writing nothing, if there is none. */
    boolean copyTo(String jobId, Path target) throws IOException;

    /** Forgets the job's input, if it still has one. */
    void discard(String jobId);
}
