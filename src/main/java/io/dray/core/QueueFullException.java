package io.dray.core;

/** The engine already holds as many waiting jobs as it is configured to; the job was not created. */
public class QueueFullException extends RuntimeException {
    public QueueFullException(int limit) {
        super("too many jobs waiting (" + limit + "); try again later");
    }
}
