package io.dray.core;

public class JobNotFoundException extends RuntimeException {
    public JobNotFoundException(String id) {
        super("no such job: " + id);
    }
}
