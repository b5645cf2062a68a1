package io.dray.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A certificate authority of a test's own, made with the openssl CLI, and the server certificates it signs. */
public final class CertificateAuthority {
    private final Path directory;
    private final Path certificate;
    private final Path key;
    private int issued;

    private CertificateAuthority(Path directory) {
        this.directory = directory;
        this.certificate = directory.resolve("ca.pem");
        this.key = directory.resolve("ca.key");
    }

    public static CertificateAuthority create() throws IOException, InterruptedException {
        CertificateAuthority ca = new CertificateAuthority(Files.createTempDirectory("dray-ca-"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=Dray test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-keyout", ca.key.toString(), "-out", ca.certificate.toString());
        return ca;
    }

    /** This authority's own certificate, PEM: what a client that trusts it is given. */
    public Path certificate() {
        return certificate;
    }

    /** @param subjectAltNames e.g. {@code "DNS:localhost"}, {@code "IP:127.0.0.1"} */
    public ServerCertificate issue(String... subjectAltNames) throws IOException, InterruptedException {
        String name = "server-" + ++issued;
        Path serverKey = directory.resolve(name + ".key");
        Path request = directory.resolve(name + ".csr");
        Path extensions = Files.writeString(directory.resolve(name + ".ext"),
                "subjectAltName=" + String.join(",", subjectAltNames) + "\n");
        Path serverCertificate = directory.resolve(name + ".pem");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                "-keyout", serverKey.toString(), "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", certificate.toString(), "-CAkey", key.toString(),
                "-CAcreateserial", "-days", "1", "-extfile", extensions.toString(), "-out", serverCertificate.toString());
        return new ServerCertificate(serverCertificate, serverKey);
    }

    public record ServerCertificate(Path certificate, Path key) {}

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
    }
}
