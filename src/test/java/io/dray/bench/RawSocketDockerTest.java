package io.dray.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawSocketDockerTest {
    private static RawSocketDocker.Answer parse(String answer) throws Exception {
        return RawSocketDocker.parse(answer.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aPlainAnswerIsItsBodyToTheEnd() throws Exception {
        RawSocketDocker.Answer answer = parse("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                + "Content-Length: 11\r\n\r\n{\"Id\":\"a\"}\n");
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.text()).isEqualTo("{\"Id\":\"a\"}\n");
    }

    @Test
    void aChunkedAnswerIsJoinedWithoutItsSizesOrExtensions() throws Exception {
        RawSocketDocker.Answer answer = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"Sta\r\na;ext=1\r\ntusCode\":0\r\n1\r\n}\r\n0\r\n\r\n");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.text()).isEqualTo("{\"StatusCode\":0}");
    }

    @Test
    void anAnswerWithoutBodyIsEmpty() throws Exception {
        RawSocketDocker.Answer answer = parse("HTTP/1.1 204 No Content\r\nServer: Docker\r\n\r\n");
        assertThat(answer.status()).isEqualTo(204);
        assertThat(answer.body()).isEmpty();
    }
}
