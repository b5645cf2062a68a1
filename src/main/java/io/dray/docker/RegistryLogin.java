package io.dray.docker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotEmpty;

/**
 * One entry of {@code docker.registries}: the user and password Dray pulls with from one registry, the password given
 * in config.yml or in a file of its own (read at start-up). Its {@code toString} hides the password.
 */
public class RegistryLogin {
    /** As Docker names it: {@code host[:port]}, or {@code docker.io} for Docker Hub. */
    @NotEmpty
    private String host;

    @NotEmpty
    private String username;

    private String password = "";

    private String passwordFile = "";

    @JsonProperty
    public String getHost() {
        return host;
    }

    @JsonProperty
    public void setHost(String host) {
        this.host = host;
    }

    @JsonProperty
    public String getUsername() {
        return username;
    }

    @JsonProperty
    public void setUsername(String username) {
        this.username = username;
    }

    @JsonProperty
    public String getPassword() {
        return password;
    }

    @JsonProperty
    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    @JsonProperty
    public String getPasswordFile() {
        return passwordFile;
    }

    @JsonProperty
    public void setPasswordFile(String passwordFile) {
        this.passwordFile = passwordFile == null ? "" : passwordFile;
    }

    @JsonIgnore
    @ValidationMethod(message = "each login in docker.registries needs a password or a passwordFile, and not both")
    public boolean isPasswordGivenOnce() {
        return password.isEmpty() != passwordFile.isBlank();
    }

    @Override
    public String toString() {
        return "RegistryLogin{host=" + host + ", username=" + username
                + (passwordFile.isBlank() ? ", password=****" : ", passwordFile=" + passwordFile) + "}";
    }
}
