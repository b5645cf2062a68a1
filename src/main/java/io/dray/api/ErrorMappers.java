package io.dray.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.dray.core.ImageNotAllowedException;
import io.dray.core.JobFinishedException;
import io.dray.core.JobNotFoundException;
import io.dray.core.QueueFullException;
import io.dray.core.StoreDataException;
import io.dray.core.StoreUnavailableException;
import io.dropwizard.auth.UnauthorizedHandler;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.dropwizard.jersey.validation.ConstraintMessage;
import io.dropwizard.jersey.validation.JerseyViolationException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the API answers, in one place: a status and {@code {"code": <status>, "message": "..."}} that says what is
 * wrong. Resources throw; these mappers answer.
 */
public final class ErrorMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMappers.class);

    private ErrorMappers() {}

    public static List<Object> all() {
        return List.of(new NotFound(), new Finished(), new StoreUnavailable(), new StoreData(), new QueueFull(), new InvalidJson(),
                new MalformedJson(), new InvalidJob(), new OverLimit(), new ImageNotAllowed());
    }

    /** The answer to an error of {@link JobStatusFilter}, which runs before Jersey; empty for one only Jersey maps. */
    static Optional<Response> beforeJersey(RuntimeException e) {
        if (e instanceof JobNotFoundException notFound) {
            return Optional.of(new NotFound().toResponse(notFound));
        } else if (e instanceof StoreUnavailableException unavailable) {
            return Optional.of(new StoreUnavailable().toResponse(unavailable));
        }
        return Optional.empty();
    }

    static Response error(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status.getStatusCode(), message))
                .build();
    }

    static final class NotFound implements ExceptionMapper<JobNotFoundException> {
        @Override
        public Response toResponse(JobNotFoundException e) {
            return error(Response.Status.NOT_FOUND, e.getMessage());
        }
    }

    static final class Finished implements ExceptionMapper<JobFinishedException> {
        @Override
        public Response toResponse(JobFinishedException e) {
            return error(Response.Status.CONFLICT, e.getMessage());
        }
    }

    static final class OverLimit implements ExceptionMapper<RequestLimits.InvalidRequestException> {
        @Override
        public Response toResponse(RequestLimits.InvalidRequestException e) {
            return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ErrorMessage(422, e.getMessage())).build();
        }
    }

    static final class ImageNotAllowed implements ExceptionMapper<ImageNotAllowedException> {
        @Override
        public Response toResponse(ImageNotAllowedException e) {
            return error(Response.Status.FORBIDDEN, e.getMessage());
        }
    }

    /** 401 for a missing or wrong API token, as JSON like every other error. */
    public static final class Unauthorized implements UnauthorizedHandler {
        @Override
        public Response buildResponse(String prefix, String realm) {
            return Response.fromResponse(error(Response.Status.UNAUTHORIZED,
                            "missing or invalid API token: send Authorization: Bearer <token>"))
                    .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
                    .build();
        }
    }

    static final class StoreUnavailable implements ExceptionMapper<StoreUnavailableException> {
        @Override
        public Response toResponse(StoreUnavailableException e) {
            LOG.warn("answering 503: {}", e.getMessage());
            return error(Response.Status.SERVICE_UNAVAILABLE, "job store unavailable: " + e.getMessage());
        }
    }

    /** Redis answered with an error about the data: Dray's fault or the store's, not the client's, and not passing. */
    static final class StoreData implements ExceptionMapper<StoreDataException> {
        @Override
        public Response toResponse(StoreDataException e) {
            LOG.error("answering 500: {}", e.getMessage(), e);
            return error(Response.Status.INTERNAL_SERVER_ERROR, "job store error: " + e.getMessage());
        }
    }

    static final class QueueFull implements ExceptionMapper<QueueFullException> {
        @Override
        public Response toResponse(QueueFullException e) {
            return error(Response.Status.TOO_MANY_REQUESTS, e.getMessage());
        }
    }

    /** A body of the wrong shape: names the field, e.g. {@code steps[0].refresh}, and what it should have been. */
    static final class InvalidJson implements ExceptionMapper<JsonMappingException> {
        @Override
        public Response toResponse(JsonMappingException e) {
            String problem = String.valueOf(e.getOriginalMessage());
            if (problem.startsWith("Unexpected end-of-input")) {
                return error(Response.Status.BAD_REQUEST, "malformed JSON: the body ends before the JSON does");
            }
            if (e instanceof ValueInstantiationException && e.getCause() instanceof DurationValue.WrongTypeException) {
                return error(Response.Status.BAD_REQUEST,
                        fieldPath(e.getPath()) + " has the wrong type: " + e.getCause().getMessage());
            }
            if (e instanceof ValueInstantiationException && e.getCause() != null) {
                // The right type with a value that means nothing (a negative or absurd duration): 422, as for a size.
                return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorMessage(422,
                        fieldPath(e.getPath()) + " is invalid: " + e.getCause().getMessage())).build();
            }
            String expected = e instanceof MismatchedInputException mismatch
                    ? "expected " + expectedShape(mismatch.getTargetType())
                    : problem.split("\n")[0];
            String field = fieldPath(e.getPath());
            return error(Response.Status.BAD_REQUEST, field.isEmpty()
                    ? "invalid job: " + expected
                    : field + " has the wrong type: " + expected);
        }

        private static String expectedShape(Class<?> type) {
            if (type == null) {
                return "another type";
            } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
                return "an array";
            } else if (type == String.class) {
                return "a string";
            } else if (type == Boolean.class || type == boolean.class) {
                return "true or false";
            } else if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
                return "a number";
            }
            return "an object";
        }

        private static String fieldPath(List<JsonMappingException.Reference> path) {
            StringBuilder field = new StringBuilder();
            for (JsonMappingException.Reference ref : path) {
                if (ref.getFieldName() != null) {
                    field.append(field.length() > 0 ? "." : "").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    field.append('[').append(ref.getIndex()).append(']');
                }
            }
            return field.toString();
        }
    }

    static final class MalformedJson implements ExceptionMapper<JsonParseException> {
        @Override
        public Response toResponse(JsonParseException e) {
            var at = e.getLocation();
            String problem = e.getOriginalMessage().split("\n")[0].replaceAll("\\s*\\(start marker at \\[Source.*$", "");
            return error(Response.Status.BAD_REQUEST, "malformed JSON: " + problem
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    /** Bean Validation failures of a request, one message naming every field at fault. */
    @Priority(Priorities.USER - 1)
    static final class InvalidJob implements ExceptionMapper<JerseyViolationException> {
        @Override
        public Response toResponse(JerseyViolationException e) {
            Collection<String> messages = e.getConstraintViolations().stream()
                    .map(v -> ConstraintMessage.getMessage(v, e.getInvocable()).replace(".<list element>", ""))
                    .sorted()
                    .collect(Collectors.toList());
            return Response.status(422)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ErrorMessage(422, String.join("; ", messages)))
                    .build();
        }
    }
}
