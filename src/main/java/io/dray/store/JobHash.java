package io.dray.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.core.Callback;
import io.dray.core.CallbackStatus;
import io.dray.core.EnvVar;
import io.dray.core.Job;
import io.dray.core.JobState;
import io.dray.core.JobStatus;
import io.dray.core.JobSummary;
import io.dray.core.Step;
import io.dray.core.StepRecord;
import io.dray.core.StepStatus;
import io.dray.core.StoreDataException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The fields of a job's hash ({@code job:<id>}), read and written in this one place:
 * <ul>
 *   <li>{@code schema}: the version of this layout, {@value #SCHEMA}; a hash without it was written by Dray before
 *       step records existed, and reads with records made up from its status;
 *   <li>{@code job}: the job as submitted, in JSON, secret values encrypted; {@code ttl}: its own retention, in
 *       milliseconds, if it has one;
 *   <li>{@code name}, {@code status}, {@code stepsCompleted}, {@code error}, {@code createdAt}, {@code startedAt},
 *       {@code finishedAt};
 *   <li>{@code steps}: how many steps, and per step {@code step:<index>:<field>} for each field of {@link StepRecord};
 *   <li>{@code version}: how many times the state was saved (see {@link JobState});
 *   <li>for a job with a callback: {@code callback} (its delivery's state, see {@link CallbackStatus}),
 *       {@code callbackAttempts}, {@code callbackError}, {@code callbackDelivery} (the delivery's id) and
 *       {@code callbackDueSince} (when it first was due); written by the scripts, never by a state's save;
 *   <li>while the job is claimed: {@code owner}, {@code epoch}; while it runs: {@code step} and {@code input} (where
 *       it would resume); per step begun, {@code step:<index>:logStart} (where its lines begin in the log); written by
 *       the scripts.
 * </ul>
 */
final class JobHash {
    static final String SCHEMA = "2";
    static final String CALLBACK = "callback";
    static final String CALLBACK_ATTEMPTS = "callbackAttempts";
    static final String CALLBACK_ERROR = "callbackError";
    private static final List<String> STEP_FIELDS = List.of("name", "source", "status", "imageId", "containerId",
            "exitCode", "startedAt", "finishedAt", "attempt", "stdoutBytes", "stdoutLines", "stderrBytes", "stderrLines",
            "bytesPassed", "error");

    private final ObjectMapper json;
    private final SecretCipher secrets;

    JobHash(ObjectMapper json, SecretCipher secrets) {
        this.json = json;
        this.secrets = secrets;
    }

    /** What changes between two states: fields to set (as field/value pairs) and fields to delete. */
    record Changes(List<String> set, List<String> deleted) {}

    /** The whole hash of a new job. */
    List<String> newJob(Job job, JobState state) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("schema", SCHEMA);
        fields.put("job", toJson(job));
        if (job.ttl() != null) {
            fields.put("ttl", Long.toString(job.ttl().toMillis()));
        }
        fields.putAll(stateFields(state));
        if (state.callback() != null) {
            fields.put(CALLBACK, state.callback().state().value());
        }
        return pairs(fields);
    }

    /**
     * The fields that turn {@code current} into {@code next}. A state never saved in this layout (version 0: a new job,
     * or one written by an older Dray) is written whole.
     */
    Changes changes(JobState current, JobState next) {
        Map<String, String> before = current.version() == 0 ? Map.of() : stateFields(current);
        Map<String, String> after = stateFields(next);
        if (current.version() == 0) {
            after.put("schema", SCHEMA);
        }
        Map<String, String> set = new LinkedHashMap<>();
        after.forEach((field, value) -> {
            if (!value.equals(before.get(field))) {
                set.put(field, value);
            }
        });
        List<String> deleted = before.keySet().stream().filter(field -> !after.containsKey(field)).toList();
        return new Changes(pairs(set), deleted);
    }

    JobState state(String id, Map<String, String> hash) {
        try {
            JobStatus status = JobStatus.of(hash.get("status"));
            int stepsCompleted = Integer.parseInt(hash.get("stepsCompleted"));
            List<StepRecord> steps = hash.containsKey("schema") ? steps(hash) : stepsOfSchemaOne(hash, status, stepsCompleted);
            return new JobState(id, hash.containsKey("schema") ? hash.get("name") : nameOfSchemaOne(hash), status,
                    stepsCompleted, hash.get("error"), instant(hash.get("createdAt")),
                    instant(hash.get("startedAt")), instant(hash.get("finishedAt")), steps,
                    Long.parseLong(hash.getOrDefault("version", "0")), callback(hash));
        } catch (RuntimeException e) {
            throw new StoreDataException("the stored state of job " + id + " is not readable: " + e, e);
        }
    }

    /** How the delivery of the job's callback stands: fields written only by the scripts, never by a state's save. */
    private static CallbackStatus callback(Map<String, String> hash) {
        String state = hash.get(CALLBACK);
        return state == null ? null
                : new CallbackStatus(CallbackStatus.State.of(state), (int) number(hash.get(CALLBACK_ATTEMPTS)),
                        hash.get(CALLBACK_ERROR));
    }

    /** A job as a list shows it, from its fields. */
    JobSummary summary(String id, String name, String status, String createdAt, String finishedAt, long position) {
        try {
            return new JobSummary(id, name, JobStatus.of(status), instant(createdAt), instant(finishedAt), position);
        } catch (RuntimeException e) {
            throw new StoreDataException("the stored state of job " + id + " is not readable: " + e, e);
        }
    }

    /** The job's callback, its secret decrypted (and nothing else), null if it has none. */
    Callback callback(String id, Map<String, String> hash) {
        Callback stored;
        try {
            stored = json.readValue(hash.get("job"), Job.class).callback();
        } catch (JsonProcessingException e) {
            throw new StoreDataException("stored job " + id + " is not readable: " + e.getOriginalMessage(), e);
        }
        if (stored == null || stored.secret() == null) {
            return stored;
        }
        try {
            return new Callback(stored.url(), secrets.decrypt(stored.secret()));
        } catch (IllegalStateException e) {
            throw new StoreDataException("the callback's secret of job " + id + " is not readable: " + e.getMessage(), e);
        }
    }

    /** The job as submitted, its secrets decrypted. */
    Job job(String id, Map<String, String> hash) {
        try {
            return submitted(id, hash.get("job")).withSecretValues(secrets::decrypt);
        } catch (IllegalStateException e) {
            throw new StoreDataException("stored job " + id + " is not readable: " + e.getMessage(), e);
        }
    }

    /** The job as submitted ({@code stored}: its {@code job} field) as a reader may see it: its secrets masked, never decrypted. */
    Job maskedJob(String id, String stored) {
        return submitted(id, stored).masked();
    }

    private Job submitted(String id, String stored) {
        try {
            return json.readValue(stored, Job.class);
        } catch (JsonProcessingException e) {
            throw new StoreDataException("stored job " + id + " is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> stateFields(JobState state) {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, "name", state.name());
        fields.put("status", state.status().value());
        fields.put("stepsCompleted", Integer.toString(state.stepsCompleted()));
        put(fields, "createdAt", state.createdAt());
        put(fields, "startedAt", state.startedAt());
        put(fields, "finishedAt", state.finishedAt());
        put(fields, "error", state.error());
        fields.put("steps", Integer.toString(state.steps().size()));
        for (StepRecord step : state.steps()) {
            String prefix = "step:" + step.index() + ":";
            put(fields, prefix + "name", step.name());
            put(fields, prefix + "source", step.source());
            put(fields, prefix + "status", step.status().value());
            put(fields, prefix + "imageId", step.imageId());
            put(fields, prefix + "containerId", step.containerId());
            put(fields, prefix + "exitCode", step.exitCode());
            put(fields, prefix + "startedAt", step.startedAt());
            put(fields, prefix + "finishedAt", step.finishedAt());
            put(fields, prefix + "attempt", step.attempt());
            put(fields, prefix + "stdoutBytes", step.stdout().bytes());
            put(fields, prefix + "stdoutLines", step.stdout().lines());
            put(fields, prefix + "stderrBytes", step.stderr().bytes());
            put(fields, prefix + "stderrLines", step.stderr().lines());
            put(fields, prefix + "bytesPassed", step.bytesPassed());
            put(fields, prefix + "error", step.error());
        }
        return fields;
    }

    private static List<StepRecord> steps(Map<String, String> hash) {
        int count = Integer.parseInt(hash.get("steps"));
        List<StepRecord> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String prefix = "step:" + i + ":";
            Map<String, String> f = new LinkedHashMap<>();
            STEP_FIELDS.forEach(field -> f.put(field, hash.get(prefix + field)));
            steps.add(new StepRecord(i, f.get("name"), f.get("source"), StepStatus.of(f.get("status")), f.get("imageId"),
                    f.get("containerId"), f.get("exitCode") == null ? null : Integer.valueOf(f.get("exitCode")),
                    instant(f.get("startedAt")), instant(f.get("finishedAt")), (int) number(f.get("attempt")),
                    new StepRecord.Output(number(f.get("stdoutBytes")), number(f.get("stdoutLines"))),
                    new StepRecord.Output(number(f.get("stderrBytes")), number(f.get("stderrLines"))),
                    number(f.get("bytesPassed")), f.get("error")));
        }
        return steps;
    }

    private String nameOfSchemaOne(Map<String, String> hash) {
        try {
            return json.readTree(hash.get("job")).path("name").asText(null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** Records for a job an older Dray wrote, which kept only how many steps had completed. */
    private List<StepRecord> stepsOfSchemaOne(Map<String, String> hash, JobStatus status, int stepsCompleted) {
        JsonNode submitted;
        try {
            submitted = json.readTree(hash.get("job")).get("steps");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job is not readable: " + e.getOriginalMessage(), e);
        }
        List<StepRecord> steps = new ArrayList<>();
        for (int i = 0; i < submitted.size(); i++) {
            JsonNode step = submitted.get(i);
            StepStatus stepStatus;
            if (i < stepsCompleted) {
                stepStatus = StepStatus.COMPLETE;
            } else if (i > stepsCompleted) {
                stepStatus = status.isFinal() ? StepStatus.SKIPPED : StepStatus.PENDING;
            } else {
                stepStatus = switch (status) {
                    case RUNNING -> hash.containsKey("step") ? StepStatus.RUNNING : StepStatus.PENDING;
                    case ERROR -> StepStatus.ERROR;
                    case CANCELLED, COMPLETE -> StepStatus.SKIPPED;
                    case QUEUED -> StepStatus.PENDING;
                };
            }
            steps.add(new StepRecord(i, step.path("name").asText(null), step.path("source").asText(), stepStatus,
                    null, null, null, null, null, 0, null, null, 0, null));
        }
        return steps;
    }

    private static void put(Map<String, String> fields, String field, Object value) {
        if (value != null) {
            fields.put(field, value.toString());
        }
    }

    private static List<String> pairs(Map<String, String> fields) {
        List<String> pairs = new ArrayList<>(fields.size() * 2);
        fields.forEach((field, value) -> {
            pairs.add(field);
            pairs.add(value);
        });
        return pairs;
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    private static Instant instant(String value) {
        return value == null ? null : Instant.parse(value);
    }

    private String toJson(Job job) {
        try {
            return json.writeValueAsString(job.withSecretValues(secrets::encrypt));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise job " + job.id(), e);
        }
    }
}
