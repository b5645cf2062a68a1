package io.dray.docker;

import com.github.dockerjava.api.DockerClient;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.net.URI;

/**
 * The Docker engine as Dray talks to it: one client with a request timeout for short calls, one without for calls that
 * last as long as a step (pull, wait), and the socket address for attachments. Closed when Dray stops.
 */
public final class DockerEngine implements Managed {
    private final DockerClient commands;
    private final DockerClient streams;
    private final URI host;
    private final String apiPrefix;
    private final ContainerDefaults defaults;

    DockerEngine(DockerClient commands, DockerClient streams, URI host, String apiPrefix, ContainerDefaults defaults) {
        this.commands = commands;
        this.streams = streams;
        this.host = host;
        this.apiPrefix = apiPrefix;
        this.defaults = defaults;
    }

    DockerClient commands() {
        return commands;
    }

    DockerClient streams() {
        return streams;
    }

    ContainerDefaults defaults() {
        return defaults;
    }

    ContainerAttachment attach(String containerId, boolean stdin) throws IOException {
        return ContainerAttachment.open(host, apiPrefix, containerId, stdin);
    }

    void ping() {
        commands.pingCmd().exec();
    }

    @Override
    public void stop() throws IOException {
        commands.close();
        streams.close();
    }
}
