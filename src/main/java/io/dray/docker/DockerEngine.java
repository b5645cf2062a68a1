package io.dray.docker;

import com.github.dockerjava.api.DockerClient;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The Docker engine as Dray talks to it: one client with a request timeout for short calls, one whose timeout also
 * allows a stop's grace period, one without a timeout for calls that last as long as a step (pull, wait), and the
 * socket address for attachments (which time out while they are set up), and the registry logins pulls send.
 * Closed when Dray stops.
 */
public final class DockerEngine implements Managed {
    private final DockerClient commands;
    private final DockerClient stops;
    private final DockerClient streams;
    private final URI host;
    private final String apiPrefix;
    private final Duration attachTimeout;
    private final ContainerDefaults defaults;
    private final RegistryCredentials credentials;

    DockerEngine(DockerClient commands, DockerClient stops, DockerClient streams, URI host, String apiPrefix,
            Duration attachTimeout, ContainerDefaults defaults, RegistryCredentials credentials) {
        this.commands = commands;
        this.stops = stops;
        this.streams = streams;
        this.host = host;
        this.apiPrefix = apiPrefix;
        this.attachTimeout = attachTimeout;
        this.defaults = defaults;
        this.credentials = credentials;
    }

    DockerClient commands() {
        return commands;
    }

    DockerClient stops() {
        return stops;
    }

    DockerClient streams() {
        return streams;
    }

    ContainerDefaults defaults() {
        return defaults;
    }

    RegistryCredentials credentials() {
        return credentials;
    }

    ContainerAttachment attach(String containerId, boolean stdin) throws IOException {
        return ContainerAttachment.open(host, apiPrefix, containerId, stdin, attachTimeout);
    }

    void ping() {
        commands.pingCmd().exec();
    }

    @Override
    public void stop() throws IOException {
        commands.close();
        stops.close();
        streams.close();
    }
}
