package io.dray.core;

/** A step's image matches none of the allowed patterns; the job was not created. */
public class ImageNotAllowedException extends RuntimeException {
    public ImageNotAllowedException(String description, String source) {
        super(description + ": image \"" + source + "\" is not allowed here");
    }
}
