package io.dray.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * Whole-number query parameters, checked the same way everywhere: absent is null, not a number (or too big for one)
 * is 400, out of range is 422, each with a message naming the parameter.
 */
final class QueryNumbers {
    private QueryNumbers() {}

    static Long parse(String name, String value, long min, long max) {
        if (value == null) {
            return null;
        }
        long number;
        try {
            number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new WebApplicationException(ErrorMappers.error(Response.Status.BAD_REQUEST,
                    "query param " + name + " is not a whole number: " + value));
        }
        if (number < min) {
            throw new RequestLimits.InvalidRequestException("query param " + name + " must be " + min + " or more");
        }
        if (number > max) {
            throw new RequestLimits.InvalidRequestException("query param " + name + " must be at most " + max);
        }
        return number;
    }
}
