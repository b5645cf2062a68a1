package io.dray.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code dray}, the command-line client of a Dray server: submit, list, show, follow, cancel and delete jobs, and
 * follow events. Started by {@code bin/dray}, from the server's own jar.
 */
@Command(name = "dray", mixinStandardHelpOptions = true, versionProvider = DrayCli.Version.class,
        description = "Runs and watches jobs on a Dray server.",
        subcommands = {DrayCli.Submit.class, DrayCli.ListJobs.class, DrayCli.Get.class, DrayCli.Logs.class,
                DrayCli.Cancel.class, DrayCli.Remove.class, DrayCli.Events.class,
                AutoComplete.GenerateCompletion.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done (submit --wait/--follow: the job is complete)",
                "  1  the job ended in error (submit --wait/--follow)",
                "  2  a usage error, or the server refused the request (its message is shown)",
                "  3  the job was cancelled (submit --wait/--follow)",
                "  4  the server cannot be reached, or failed"})
public final class DrayCli {
    static final int JOB_ERROR = 1;
    static final int REFUSED = 2;
    static final int JOB_CANCELLED = 3;
    static final int UNREACHABLE = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", scope = ScopeType.INHERIT, defaultValue = "${env:DRAY_URL:-http://localhost:3000}",
            description = "the server's address (env DRAY_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, defaultValue = "${env:DRAY_TOKEN}",
            description = "an API token, if the server asks for one (env DRAY_TOKEN)")
    String token;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DrayCli());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof DrayServer.Refused refused) {
                command.getErr().println("dray: " + refused.getMessage() + " (" + refused.status + ")");
                return REFUSED;
            }
            if (e instanceof DrayServer.Unreachable unreachable) {
                command.getErr().println("dray: " + unreachable.getMessage());
                return UNREACHABLE;
            }
            throw e;
        });
        return cli;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    DrayServer server() {
        URI address;
        try {
            address = new URI(url);
        } catch (URISyntaxException e) {
            address = null;
        }
        if (address == null || address.getHost() == null
                || !("http".equals(address.getScheme()) || "https".equals(address.getScheme()))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "the server's address (--url, DRAY_URL) must be http://host:port or https://..., not " + url);
        }
        return new DrayServer(url, token);
    }

    /** The exit code of a job that ended with this status. */
    static int exitCode(String status) {
        return switch (status) {
            case "complete" -> 0;
            case "cancelled" -> JOB_CANCELLED;
            default -> JOB_ERROR;
        };
    }

    static String pretty(JsonNode json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints a followed log's lines as they come; the job's status at its end. */
    static String followLog(DrayServer server, String id, Integer step, PrintWriter out) {
        String[] status = {null};
        server.follow("jobs/" + DrayServer.query(id) + "/log?follow=true" + (step == null ? "" : "&step=" + step),
                () -> { }, line -> {
                    if (line.path("end").asBoolean()) {
                        status[0] = line.path("status").path("status").asText();
                    } else {
                        out.println(line.path("line").asText());
                        out.flush();
                    }
                });
        if (status[0] == null) {
            throw new DrayServer.Unreachable("the log of job " + id + " ended before the job did");
        }
        return status[0];
    }

    @Command(name = "submit", description = "Submits a job (a JSON file, or - for stdin) and prints its id.")
    static final class Submit implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "JOB", description = "the job's JSON file, or - to read it from stdin")
        String file;

        @Option(names = {"-w", "--wait"}, description = "waits for the job to end; the exit code says how it did")
        boolean wait;

        @Option(names = {"-f", "--follow"}, description = "prints the job's log as it is written until the job ends"
                + " (the id goes to stderr); the exit code says how the job did")
        boolean follow;

        @Override
        public Integer call() throws IOException {
            String job = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : readFile(Path.of(file));
            DrayServer server = dray.server();
            String id = server.postJson("jobs", job).path("id").asText();
            PrintWriter out = spec.commandLine().getOut();
            if (follow) {
                spec.commandLine().getErr().println("job " + id);
                spec.commandLine().getErr().flush();
                return exitCode(followLog(server, id, null, out));
            }
            out.println(id);
            out.flush();
            if (!wait) {
                return 0;
            }
            while (true) {
                String status = server.getJson("jobs/" + DrayServer.query(id) + "?wait=20s").path("status").asText();
                if (!status.equals("queued") && !status.equals("running")) {
                    return exitCode(status);
                }
            }
        }

        private String readFile(Path path) throws IOException {
            if (!Files.isReadable(path)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + path);
            }
            return Files.readString(path);
        }
    }

    @Command(name = "ls", description = "Lists jobs, oldest first: a table, or the server's JSON with --json.")
    static final class ListJobs implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--status", paramLabel = "STATUS",
                description = "only jobs in this state: queued, running, complete, error, cancelled; repeatable")
        List<String> statuses = new ArrayList<>();

        @Option(names = "--limit", paramLabel = "N", description = "at most N jobs")
        Integer limit;

        @Option(names = "--json", description = "the server's JSON answer")
        boolean json;

        @Override
        public Integer call() {
            List<String> query = new ArrayList<>();
            statuses.forEach(status -> query.add("status=" + DrayServer.query(status)));
            if (limit != null) {
                query.add("limit=" + limit);
            }
            String path = "jobs" + (query.isEmpty() ? "" : "?" + String.join("&", query));
            PrintWriter out = spec.commandLine().getOut();
            // Read as the server streams it: a list of a hundred thousand jobs is never held whole.
            dray.server().read(path, body -> {
                if (json) {
                    copy(body, out);
                } else {
                    printTable(body, out);
                }
            });
            return 0;
        }

        private static void copy(InputStream body, PrintWriter out) {
            try {
                new InputStreamReader(body, StandardCharsets.UTF_8).transferTo(out);
                out.println();
                out.flush();
            } catch (IOException e) {
                throw new DrayServer.Unreachable("the list broke off: " + e.getMessage());
            }
        }

        private static void printTable(InputStream body, PrintWriter out) {
            String format = "%-36s  %-24s  %-9s  %-24s  %s%n";
            try (JsonParser jobs = JSON.getFactory().createParser(body)) {
                if (jobs.nextToken() != JsonToken.START_ARRAY) {
                    throw new DrayServer.Unreachable("the server's list of jobs is not a JSON array");
                }
                out.printf(format, "ID", "NAME", "STATUS", "CREATED", "FINISHED");
                while (jobs.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode job = JSON.readTree(jobs);
                    out.printf(format, job.path("id").asText(), job.path("name").asText(""),
                            job.path("status").asText(""), job.path("createdAt").asText(""),
                            job.path("finishedAt").asText(""));
                }
                out.flush();
            } catch (IOException e) {
                throw new DrayServer.Unreachable("the list broke off: " + e.getMessage());
            }
        }
    }

    @Command(name = "get", description = "Prints a job's status and its steps', as JSON; with --definition, the job as"
            + " it was submitted, secrets as ****.")
    static final class Get implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--definition", description = "the job as submitted (what to submit to run it again)")
        boolean definition;

        @Override
        public Integer call() {
            String path = "jobs/" + DrayServer.query(id) + (definition ? "/definition" : "");
            spec.commandLine().getOut().println(pretty(dray.server().getJson(path)));
            return 0;
        }
    }

    @Command(name = "logs", description = "Prints a job's log; with -f, follows it until the job ends.")
    static final class Logs implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = {"-f", "--follow"}, description = "prints lines as they are written, until the job ends")
        boolean follow;

        @Option(names = "--step", paramLabel = "N", description = "only step N's lines (counted from 0)")
        Integer step;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DrayServer server = dray.server();
            if (follow) {
                followLog(server, id, step, out);
                return 0;
            }
            server.read("jobs/" + DrayServer.query(id) + "/log" + (step == null ? "" : "?step=" + step),
                    body -> printLines(body, out));
            return 0;
        }

        /** Prints {@code {"lines": [...]}} as it is read: a log of millions of lines is never held whole. */
        private static void printLines(InputStream body, PrintWriter out) {
            try (JsonParser json = JSON.getFactory().createParser(body)) {
                while (json.nextToken() != null) {
                    if (json.currentToken() == JsonToken.FIELD_NAME && "lines".equals(json.currentName())) {
                        json.nextToken();
                        while (json.nextToken() == JsonToken.VALUE_STRING) {
                            out.println(json.getText());
                        }
                    }
                }
                out.flush();
            } catch (IOException e) {
                throw new DrayServer.Unreachable("the log broke off: " + e.getMessage());
            }
        }
    }

    @Command(name = "cancel", description = "Cancels a queued or running job.")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--reason", paramLabel = "R", description = "why, kept in the job's error")
        String reason;

        @Override
        public Integer call() {
            JsonNode status = dray.server().post("jobs/" + DrayServer.query(id) + "/cancel"
                    + (reason == null ? "" : "?reason=" + DrayServer.query(reason)));
            spec.commandLine().getOut().println(id + " " + status.path("status").asText());
            return 0;
        }
    }

    @Command(name = "rm", description = "Deletes a job and everything kept for it, cancelling it first if it runs.")
    static final class Remove implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            dray.server().delete("jobs/" + DrayServer.query(id));
            spec.commandLine().getOut().println(id + " deleted");
            return 0;
        }
    }

    @Command(name = "events", description = "Prints every job's and step's state changes as they happen, until"
            + " interrupted.")
    static final class Events implements Callable<Integer> {
        @CommandLine.ParentCommand
        DrayCli dray;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--job", paramLabel = "ID", description = "only this job's events")
        String job;

        @Option(names = "--json", description = "each event as the server's JSON, one per line")
        boolean json;

        @Option(names = "--after", paramLabel = "EVENT", description = "first the events after this one (its id, as"
                + " --json prints it), from the last 10,000 or so the server keeps")
        String after;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            // On stderr, so that stdout has events only: nothing happened before this line is shown.
            Runnable opened = () -> {
                err.println("dray: listening for events");
                err.flush();
            };
            List<String> query = new ArrayList<>();
            if (job != null) {
                query.add("job=" + DrayServer.query(job));
            }
            if (after != null) {
                query.add("after=" + DrayServer.query(after));
            }
            dray.server().follow("events" + (query.isEmpty() ? "" : "?" + String.join("&", query)), opened, event -> {
                if (event.path("reset").asBoolean()) {
                    err.println("dray: " + event.path("message").asText());
                    err.flush();
                    return;
                }
                if (json) {
                    out.println(event);
                } else {
                    out.printf("%s  %-14s  %s%s  %s%n", event.path("time").asText(), event.path("type").asText(),
                            event.path("job").asText(), event.has("step") ? " step " + event.get("step").asInt() : "",
                            event.path("status").asText());
                }
                out.flush();
            });
            throw new DrayServer.Unreachable("the server ended the stream of events");
        }
    }

    /** The version of the jar, as its manifest says, else "dray". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DrayCli.class.getPackage().getImplementationVersion();
            return new String[] {"dray " + (version == null ? "(development build)" : version)};
        }
    }
}
