package io.dray.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {
    private static final OpenAPI DOCUMENT = OpenApiDocument.generate();

    @Test
    void everyRouteOfTheApiIsDescribed() {
        List<String> routes = new ArrayList<>();
        DOCUMENT.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> routes.add(method + " " + path)));
        assertThat(routes).containsExactlyInAnyOrder("POST /jobs", "GET /jobs", "GET /jobs/{id}", "DELETE /jobs/{id}",
                "GET /jobs/{id}/log", "GET /jobs/{id}/definition", "POST /jobs/{id}/cancel", "GET /events", "GET /health");
        // A resource method added without a route above fails here, so that this list (and the document) stays whole.
        long resourceMethods = 0;
        for (Method method : JobResource.class.getMethods()) {
            if (method.isAnnotationPresent(GET.class) || method.isAnnotationPresent(POST.class)
                    || method.isAnnotationPresent(DELETE.class)) {
                resourceMethods++;
            }
        }
        assertThat(resourceMethods).as("JobResource's routes; the multipart POST shares POST /jobs").isEqualTo(8);
    }

    @Test
    void everyRouteDescribesItsSuccessAndItsErrorsAsCodeAndMessage() {
        DOCUMENT.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            Map<String, ApiResponse> responses = operation.getResponses();
            assertThat(responses.keySet()).as("%s %s", method, path).anyMatch(code -> code.startsWith("2"))
                    .contains("401");
            responses.forEach((code, response) -> {
                if (code.startsWith("4") || code.startsWith("5")) {
                    assertThat(response.getContent().get("application/json").getSchema().get$ref())
                            .as("%s %s %s", method, path, code).isEqualTo("#/components/schemas/Error");
                }
            });
        }));
        assertThat(DOCUMENT.getComponents().getSchemas().get("Error").getRequired())
                .containsExactlyInAnyOrder("code", "message");
    }

    @Test
    void liveStreamsAreDescribedAsServerSentEventsAndNdjson() {
        Content log = DOCUMENT.getPaths().get("/jobs/{id}/log").getGet().getResponses().get("200").getContent();
        assertThat(log).containsOnlyKeys("application/json", "text/event-stream", "application/x-ndjson");
        assertThat(log.get("application/x-ndjson").getSchema().get$ref()).isEqualTo("#/components/schemas/LogLine");
        Operation events = DOCUMENT.getPaths().get("/events").getGet();
        assertThat(events.getResponses().get("200").getContent())
                .containsOnlyKeys("text/event-stream", "application/x-ndjson");
        assertThat(events.getResponses()).containsKey("406");
        assertThat(DOCUMENT.getPaths().get("/jobs/{id}/log").getGet().getParameters())
                .extracting(io.swagger.v3.oas.models.parameters.Parameter::getName)
                .contains("follow", "Last-Event-ID", "index", "limit", "step", "stream");
    }

    @Test
    void aParameterWithADefaultIsOptional() {
        assertThat(DOCUMENT.getPaths().get("/jobs/{id}/log").getGet().getParameters())
                .filteredOn(parameter -> parameter.getName().equals("index"))
                .singleElement()
                .satisfies(index -> assertThat(index.getRequired()).isNotEqualTo(Boolean.TRUE));
    }

    @Test
    void submissionsTakeJsonOrAMultipartJobWithItsInput() {
        PathItem jobs = DOCUMENT.getPaths().get("/jobs");
        assertThat(jobs.getPost().getRequestBody().getContent())
                .containsOnlyKeys("application/json", "multipart/form-data");
        assertThat(jobs.getPost().getResponses().get("201").getHeaders()).containsKey("Location");
    }

    @Test
    void aJobsDefinitionIsAJobWhoseInputSizeIsOnlyAnswered() {
        assertThat(DOCUMENT.getPaths().get("/jobs/{id}/definition").getGet().getResponses()).containsKeys("200", "404");
        Schema<?> inputBytes = (Schema<?>) DOCUMENT.getComponents().getSchemas().get("JobRepresentation").getProperties()
                .get("inputBytes");
        assertThat(inputBytes.getReadOnly()).isTrue();
    }

    @Test
    void aDurationIsSecondsOrAStringNeverAnObject() {
        Schema<?> timeout = (Schema<?>) DOCUMENT.getComponents().getSchemas().get("StepRepresentation").getProperties()
                .get("timeout");
        assertThat(timeout.getType()).isNull();
        assertThat(timeout.getOneOf()).extracting(Schema::getType).containsExactly("number", "string");
    }
}
