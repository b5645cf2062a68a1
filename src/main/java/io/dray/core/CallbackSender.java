package io.dray.core;

import java.net.URI;
import java.util.Map;

/** Sends a callback's request (an HTTP POST), with its headers and body; knows nothing of jobs. */
public interface CallbackSender {

    /** @throws CallbackFailedException if the receiver did not answer 2xx, or could not be reached */
    void post(URI url, Map<String, String> headers, byte[] body) throws CallbackFailedException;

    /** An attempt that failed; the message says how (a status, a refused connection, a timeout). */
    final class CallbackFailedException extends Exception {
        public CallbackFailedException(String message) {
            super(message);
        }
    }
}
