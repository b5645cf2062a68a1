package io.dray.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dray.docker.DirectDocker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmarks' reference floor: one step done with the thinnest client there is, hand-written HTTP/1.1 on the
 * engine's Unix socket (create, attach hijacked, start, feed stdin, read stdout, wait, delete), with the log driver
 * {@code none}. No docker-java, no connection pool, no JSON parsing of answers beyond the exit code:
 * what any client must do at the least to run a container and read its output.
 */
public final class RawSocketDocker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};
    private final UnixDomainSocketAddress socket;
    private final ExecutorService stdinWriters = Executors.newCachedThreadPool();

    public RawSocketDocker(Path socket) {
        this.socket = UnixDomainSocketAddress.of(socket);
    }

    /** An answer: its status and body (de-chunked). */
    record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * @param input stdin as bytes, or null
     * @param inputFile stdin from a file (sent with sendfile), or null
     * @param outputFile a host file to mount at {@code containerPath}, or null
     * @param keepStdout whether to keep stdout in memory (else it is only counted)
     */
    public DirectDocker.Result run(String image, Map<String, String> env, byte[] input, Path inputFile,
            Path outputFile, String containerPath, boolean keepStdout) throws IOException {
        boolean stdin = input != null || inputFile != null;
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("LogConfig", Map.of("Type", "none"));
        // No NetworkMode, as Dray's steps by default: the engine's default network. On this engine (--bridge=none)
        // that is loopback only too, and "none" started containers in ~1.1 s against ~0.5 s: a slower floor would
        // flatter Dray.
        if (outputFile != null) {
            host.put("Mounts", List.of(Map.of("Type", "bind", "Source", outputFile.toString(), "Target", containerPath)));
        }
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("Image", image);
        create.put("Env", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        create.put("AttachStdin", stdin);
        create.put("AttachStdout", true);
        create.put("AttachStderr", true);
        create.put("OpenStdin", stdin);
        create.put("StdinOnce", stdin);
        create.put("Tty", false);
        create.put("HostConfig", host);
        Answer created = request("POST", "/containers/create", JSON.writeValueAsBytes(create));
        check(created, 201);
        String id = JSON.readTree(created.body()).get("Id").asText();
        try (SocketChannel attached = attach(id, stdin)) {
            check(request("POST", "/containers/" + id + "/start", null), 204);
            Future<?> writer = stdin ? stdinWriters.submit(() -> {
                sendStdin(attached, input, inputFile);
                return null;
            }) : null;
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            long[] counts = readFrames(attached, keepStdout ? kept : null);
            if (writer != null) {
                writer.cancel(true);
            }
            Answer waited = request("POST", "/containers/" + id + "/wait", null);
            check(waited, 200);
            int exit = JSON.readTree(waited.body()).get("StatusCode").asInt();
            return new DirectDocker.Result(exit, kept.toByteArray(), counts[0], counts[1]);
        } finally {
            check(request("DELETE", "/containers/" + id + "?force=1", null), 204);
        }
    }

    /**
     * Attached before the start, so that no output is lost: Docker registers the attacher before it answers 101.
     * The channel then carries raw frames; closing its output half closes the container's stdin (StdinOnce).
     */
    private SocketChannel attach(String id, boolean stdin) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(socket);
            write(channel, ("POST /containers/" + id + "/attach?stream=1&stdout=1&stderr=1&stdin=" + (stdin ? 1 : 0)
                    + " HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Read byte by byte up to the headers' end: what follows belongs to the stream, read by readFrames.
            ByteBuffer one = ByteBuffer.allocate(1);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            for (int last4 = 0; last4 != 0x0d0a0d0a; ) {
                one.clear();
                if (channel.read(one) < 0) {
                    throw new IOException("attach: connection closed in the headers: " + head);
                }
                head.write(one.get(0));
                last4 = last4 << 8 | one.get(0) & 0xff;
            }
            String status = head.toString(StandardCharsets.US_ASCII);
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("attach: " + status.lines().findFirst().orElse(""));
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void sendStdin(SocketChannel channel, byte[] input, Path inputFile) throws IOException {
        if (inputFile != null) {
            try (FileChannel file = FileChannel.open(inputFile)) {
                long size = file.size();
                for (long sent = 0; sent < size; ) {
                    sent += file.transferTo(sent, size - sent, channel);
                }
            }
        } else {
            write(channel, input);
        }
        channel.shutdownOutput();
    }

    /** Reads the multiplexed stream (8-byte header: stream, 0, 0, 0, length) to its end; counts stdout's bytes and lines. */
    private static long[] readFrames(SocketChannel channel, ByteArrayOutputStream kept) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(8);
        ByteBuffer payload = ByteBuffer.allocate(64 * 1024);
        long[] counts = new long[2];
        while (true) {
            header.clear();
            if (!readFully(channel, header)) {
                return counts;
            }
            int stream = header.get(0);
            long left = Integer.toUnsignedLong(header.getInt(4));
            while (left > 0) {
                payload.clear().limit((int) Math.min(payload.capacity(), left));
                if (!readFully(channel, payload)) {
                    throw new IOException("stream ended inside a frame");
                }
                int n = payload.limit();
                left -= n;
                if (stream == 1) {
                    counts[0] += n;
                    byte[] bytes = payload.array();
                    for (int i = 0; i < n; i++) {
                        if (bytes[i] == '\n') {
                            counts[1]++;
                        }
                    }
                    if (kept != null) {
                        kept.write(bytes, 0, n);
                    }
                }
            }
        }
    }

    /** False at the stream's end before the first byte; an end in the middle is an error. */
    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (buffer.position() == 0) {
                    return false;
                }
                throw new IOException("stream ended inside a frame header or payload");
            }
        }
        return true;
    }

    /** One request on its own connection, closed by Docker after the answer: no pool to keep. */
    Answer request(String method, String path, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(socket);
            StringBuilder head = new StringBuilder(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            write(channel, head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                write(channel, body);
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer.clear()) >= 0) {
                all.write(buffer.array(), 0, buffer.position());
            }
            return parse(all.toByteArray());
        }
    }

    /** An HTTP/1.1 answer read to the connection's end: status line, headers, a body plain or chunked. */
    static Answer parse(byte[] answer) throws IOException {
        int end = indexOf(answer, HEADERS_END, 0);
        if (end < 0) {
            throw new IOException("no complete answer: " + new String(answer, StandardCharsets.US_ASCII));
        }
        String head = new String(answer, 0, end, StandardCharsets.US_ASCII);
        int status = Integer.parseInt(head.substring(9, 12));
        int start = end + 4;
        if (!head.toLowerCase().contains("\r\ntransfer-encoding: chunked")) {
            return new Answer(status, java.util.Arrays.copyOfRange(answer, start, answer.length));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int at = start; ; ) {
            int lineEnd = indexOf(answer, new byte[] {'\r', '\n'}, at);
            if (lineEnd < 0) {
                throw new IOException("chunked body ends without its last chunk");
            }
            String size = new String(answer, at, lineEnd - at, StandardCharsets.US_ASCII);
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (length == 0) {
                return new Answer(status, body.toByteArray());
            }
            body.write(answer, lineEnd + 2, length);
            at = lineEnd + 2 + length + 2;
        }
    }

    private static void check(Answer answer, int expected) throws IOException {
        if (answer.status() != expected) {
            throw new IOException("Docker answered " + answer.status() + ": " + answer.text());
        }
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static int indexOf(byte[] bytes, byte[] what, int from) {
        outer:
        for (int i = from; i <= bytes.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (bytes[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        stdinWriters.shutdownNow();
    }
}
